package io.mailgate.it;

import static io.mailgate.testkit.ImapProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.ImapProxyTestBase;
import io.mailgate.testkit.LineClient;
import org.junit.jupiter.api.Test;

/** Literals, line lengths ({@code imap_client_buffer}, the 16 KB SASL line) and {@code max_errors} before login. */
class ImapLimitsIT extends ImapProxyTestBase {

  private static final String BAD = "a1 BAD invalid command";

  @Test
  void synchronizingLiteralsWithinTheBufferAreGrantedAndLogIn() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN {16}");
      assertThat(c.readLine()).isEqualTo("+ OK");
      c.send("test@example.com {10}");
      assertThat(c.readLine()).isEqualTo("+ OK");
      c.send("sec ret\"{}");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("sec%20ret\"{}");
    assertThat(fx.backend.received().get(0)).isEqualTo("a1 LOGIN {16}\r\ntest@example.com {10}\r\nsec ret\"{}");
  }

  @Test
  void nonSynchronizingLiteralsWithinTheBufferLogIn() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 LOGIN {16+}\r\ntest@example.com {6+}\r\nsecret\r\n");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo("test@example.com");
  }

  @Test
  void aSynchronizingLiteralOverTheBufferGetsBadWithoutContinuation() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN {5000}");
      assertThat(c.readLine()).isEqualTo(BAD);
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void aSmallerImapClientBufferLowersTheLiteralLimit() throws Exception {
    fx.start("imap_client_buffer 1k;");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN {900}");
      assertThat(c.readLine()).isEqualTo("+ OK");
      c.sendRaw("x".repeat(900) + " p\r\n");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN {1100}");
      assertThat(c.readLine()).isEqualTo(BAD);
    }
  }

  @Test
  void aNonSynchronizingLiteralOverTheBufferGetsBadAndCloses() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN {5000+}");
      assertThat(c.readLine()).isEqualTo(BAD);
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void aNonSynchronizingLiteralOnAnUnknownCommandIsConsumed() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      // Were the literal read as a command, "x LOGOUT" would end the session.
      c.sendRaw("a1 FOO {8+}\r\nx LOGOUT\r\na2 NOOP\r\n");
      assertThat(c.readLine()).isEqualTo(BAD);
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
  }

  @Test
  void aSynchronizingLiteralOnAnUnknownCommandGetsBadWithoutContinuation() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 FOO {8}");
      assertThat(c.readLine()).isEqualTo(BAD);
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
  }

  @Test
  void aLineLongerThanTheBufferGetsBadAndCloses() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 NOOP " + "x".repeat(5000));
      assertThat(c.readLine()).isEqualTo(BAD);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void aTenKilobyteAuthenticatePlainLineIsAcceptedWithTheDefaultBuffer() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.fail("too long for us"));
    fx.start("");
    String password = "p".repeat(7500);
    String ir = b64("\0test@example.com\0" + password);
    assertThat(ir.length()).isGreaterThan(10_000);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN " + ir);
      assertThat(c.readLine()).isEqualTo("a1 NO too long for us");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo(password);
  }

  @Test
  void aTenKilobyteSaslContinuationIsAccepted() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.fail("no"));
    fx.start("imap_auth xoauth2;");
    String token = "t".repeat(7500);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send(b64("user=test@example.com\1auth=Bearer " + token + "\1\1"));
      assertThat(c.readLine()).isEqualTo("a1 NO no");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo(token);
  }

  @Test
  void aSeventeenKilobyteSaslContinuationGetsBadAndCloses() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send("A".repeat(17 * 1024));
      assertThat(c.readLine()).endsWith(" BAD invalid command");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  /**
   * nginx keeps the AUTHENTICATE tag through the continuation lines (ngx_mail_imap_auth_state "preserve tag"), so a
   * too long continuation is answered {@code a1 BAD}, as mailgate already does for a continuation with bad base64.
   */
  @Test
  void aTooLongSaslContinuationIsAnsweredWithTheAuthenticateTag() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send("A".repeat(17 * 1024));
      assertThat(c.readLine()).isEqualTo(BAD);
    }
  }

  @Test
  void theLastInvalidCommandAllowedByMaxErrorsGetsBadThenTheSessionEnds() throws Exception {
    fx.start("max_errors 3;");
    try (LineClient c = fx.connect()) {
      c.send("x1 FOO");
      assertThat(c.readLine()).isEqualTo("x1 BAD invalid command");
      c.send("x2 NOOP a b c d");
      assertThat(c.readLine()).isEqualTo("x2 BAD invalid command");
      c.send("x3 AUTHENTICATE FOO");
      assertThat(c.readLine()).isEqualTo("x3 BAD invalid command");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void maxErrorsCountsPipelinedInvalidCommandsToo() throws Exception {
    fx.start("max_errors 3;");
    try (LineClient c = fx.connect()) {
      c.sendRaw("x1 FOO\r\n\r\nx3 BAR\r\nx4 NOOP\r\n");
      assertThat(c.readLines(3))
          .containsExactly("x1 BAD invalid command", "* BAD invalid command", "x3 BAD invalid command");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void validCommandsDoNotCountAgainstMaxErrors() throws Exception {
    fx.start("max_errors 2;");
    try (LineClient c = fx.connect()) {
      c.sendRaw("x1 FOO\r\nx2 NOOP\r\nx3 NOOP\r\n");
      assertThat(c.readLines(3)).containsExactly("x1 BAD invalid command", "x2 OK completed", "x3 OK completed");
      c.send("x4 FOO");
      assertThat(c.readLine()).isEqualTo("x4 BAD invalid command");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }
}
