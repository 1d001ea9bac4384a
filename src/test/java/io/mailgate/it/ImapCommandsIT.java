package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.ImapProxyTestBase;
import io.mailgate.testkit.LineClient;
import org.junit.jupiter.api.Test;

/** The commands mailgate answers itself before login, and commands pipelined behind a login. */
class ImapCommandsIT extends ImapProxyTestBase {

  @Test
  void logoutSaysByeAndCloses() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGOUT");
      assertThat(c.readLine()).isEqualTo("* BYE");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void noopAndLowerCaseCommandsAreAnswered() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 NOOP");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 noop");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
      c.send("");
      assertThat(c.readLine()).isEqualTo("* BAD invalid command");
    }
  }

  @Test
  void capabilityListsImapCapabilitiesAsWrittenThenAuthInFixedOrder() throws Exception {
    fx.start("imap_capabilities IMAP4rev1 IDLE \"XLIST\" ID; imap_auth oauthbearer xoauth2 external cram-md5 login plain;");
    try (LineClient c = fx.connect()) {
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE XLIST ID AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5"
          + " AUTH=EXTERNAL AUTH=XOAUTH2 AUTH=OAUTHBEARER");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
    }
  }

  @Test
  void theDefaultCapabilityLine() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 capability");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
    }
  }

  @Test
  void idIsAnsweredWhenImapCapabilitiesListsIt() throws Exception {
    fx.start("imap_capabilities IMAP4rev1 ID;");
    try (LineClient c = fx.connect()) {
      c.send("a1 ID (\"name\" \"test\" \"version\" \"1\")");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 ID NIL");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
  }

  @Test
  void idIsAnInvalidCommandWhenImapCapabilitiesDoesNotListIt() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 ID NIL");
      assertThat(c.readLine()).isEqualTo("a1 BAD invalid command");
    }
  }

  @Test
  void quotedLoginArgumentsAreUnescapedAndTheAuthHeadersEscaped() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a.1-_ LOGIN \"te st\\\"x\" \"p%w\\\\d\"");
      assertThat(c.readLine()).isEqualTo("a.1-_ OK LOGIN completed");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo("te%20st\"x");
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("p%25w\\d");
    assertThat(fx.backend.received().get(0)).isEqualTo("a.1-_ LOGIN {7}\r\nte st\"x {5}\r\np%w\\d");
  }

  @Test
  void loginAndCommandsPipelinedInOneWriteReachTheBackendInOrder() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 LOGIN test@example.com secret\r\na2 SELECT INBOX\r\na3 NOOP\r\na4 FETCH 1 (FLAGS)\r\n");
      assertThat(c.readLines(4)).containsExactly(
          "a1 OK LOGIN completed", "a2 OK SELECT completed", "a3 OK NOOP completed", "a4 OK FETCH completed");
    }
    assertThat(fx.backend.received()).containsExactly(
        "a1 LOGIN {16}\r\ntest@example.com {6}\r\nsecret", "a2 SELECT INBOX", "a3 NOOP", "a4 FETCH 1 (FLAGS)");
  }

  @Test
  void aCommandPipelinedDuringTheAuthLookupIsNotExecutedByTheFrontEnd() throws Exception {
    fx.auth.respondWith(FakeAuthServer.delayed(300, r -> FakeAuthServer.ok(fx.backend.port())));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 LOGIN test@example.com secret\r\na2 CAPABILITY\r\n");
      // mailgate's own answer would be "* CAPABILITY IMAP4 ..." then "a2 OK completed".
      assertThat(c.readLines(2)).containsExactly("a1 OK LOGIN completed", "a2 OK CAPABILITY completed");
    }
    assertThat(fx.backend.received()).containsExactly(
        "a1 LOGIN {16}\r\ntest@example.com {6}\r\nsecret", "a2 CAPABILITY");
  }

  @Test
  void aCommandPipelinedBehindAFailedLoginWithoutAuthWaitIsNeverAnswered() throws Exception {
    fx.auth.respondWith(FakeAuthServer.delayed(200, r -> FakeAuthServer.fail("nope")));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 LOGIN test@example.com bad\r\na2 LOGOUT\r\n");
      assertThat(c.readLine()).isEqualTo("a1 NO nope");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.auth.requests()).hasSize(1);
  }

  @Test
  void aLoginPipelinedBehindAFailedLoginWithAuthWaitRunsAfterTheNo() throws Exception {
    fx.auth.respondWith(r -> "secret".equals(r.header("Auth-Pass"))
        ? FakeAuthServer.ok(fx.backend.port())
        : FakeAuthServer.fail("try again", "Auth-Wait: 1"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 LOGIN test@example.com bad\r\na2 LOGIN test@example.com secret\r\na3 NOOP\r\n");
      assertThat(c.readLines(3)).containsExactly("a1 NO try again", "a2 OK LOGIN completed", "a3 OK NOOP completed");
    }
    assertThat(fx.auth.requests()).extracting(r -> r.header("Auth-Login-Attempt")).containsExactly("1", "2");
  }

  @Test
  void commandsPipelinedBehindLogoutAreNotAnswered() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 NOOP\r\na2 LOGOUT\r\na3 NOOP\r\n");
      assertThat(c.readLines(3)).containsExactly("a1 OK completed", "* BYE", "a2 OK completed");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  /**
   * Relay.Side.channelRead flushes the full peer before turning auto-read off; the flush drains the peer at once on
   * loopback, so the "writable again" event (which turns auto-read back on) comes first and is then undone.
   */
  @Test
  void aMegabyteLiteralIsRelayedToTheBackendAfterLogin() throws Exception {
    fx.start("");
    String body = "0123456789abcdef".repeat(64 * 1024);
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 APPEND INBOX {" + body.length() + "}");
      assertThat(c.readLine()).isEqualTo("+ go ahead");
      c.sendRaw(body + "\r\n");
      assertThat(c.readLine()).isEqualTo("a2 OK APPEND completed");
    }
    assertThat(fx.backend.received().get(1)).isEqualTo("a2 APPEND INBOX {" + body.length() + "}\r\n" + body);
  }

  @Test
  void aClientLeavingDuringTheAuthLookupDoesNotDisturbTheNextOne() throws Exception {
    fx.auth.respondWith(FakeAuthServer.delayed(300, r -> FakeAuthServer.ok(fx.backend.port())));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
    }
    try (LineClient c = fx.connect()) {
      c.send("b1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("b1 OK LOGIN completed");
    }
    assertThat(fx.backend.received()).containsExactly("b1 LOGIN {16}\r\ntest@example.com {6}\r\nsecret");
  }

  @Test
  void aMegabyteResponseIsRelayedToTheClientAfterLogin() throws Exception {
    fx.start("");
    int size = 1024 * 1024;
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 XBIG " + size);
      assertThat(c.readLine()).isEqualTo("* XBIG {" + size + "}");
      assertThat(c.readLine()).hasSize(size);
      assertThat(c.readLine()).isEqualTo("a2 OK XBIG completed");
    }
  }

  @Test
  void aSlowReaderGetsALargeResponseIntactAndTheSessionGoesOn() throws Exception {
    // 8 MiB against a client that does not read for a while: the relay must stop reading the backend (backpressure)
    // and resume once the client drains, losing and reordering nothing.
    fx.start("");
    int size = 8 * 1024 * 1024;
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 XBIG " + size);
      Thread.sleep(1000);
      assertThat(c.readLine()).isEqualTo("* XBIG {" + size + "}");
      assertThat(c.readLine()).hasSize(size);
      assertThat(c.readLine()).isEqualTo("a2 OK XBIG completed");
      c.send("a3 NOOP");
      assertThat(c.readLine()).startsWith("a3 OK");
    }
  }
}
