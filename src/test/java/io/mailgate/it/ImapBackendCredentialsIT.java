package io.mailgate.it;

import static io.mailgate.testkit.ImapProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.ImapProxyFixture;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxy_backend_login token | master} towards an IMAP backend. */
class ImapBackendCredentialsIT {

  private static final String USER = "test@example.com";
  private static final String TOKEN = "tok-123";
  private static final String XOAUTH2 = b64("user=" + USER + "\1auth=Bearer " + TOKEN + "\1\1");
  private static final String OAUTHBEARER = b64("n,a=" + USER + ",\1auth=Bearer " + TOKEN + "\1\1");
  private static final String DOVECOT_GREETING =
      "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER] fake ready";
  private static final String TOKEN_MODE = "proxy_backend_login token; imap_auth plain xoauth2 oauthbearer;";

  @TempDir Path dir;
  ImapProxyFixture fx;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  @Test
  void xoauth2IsPassedOnWithSaslIrAndTheBackendsOkReachesTheClient() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend(DOVECOT_GREETING).acceptToken(TOKEN)).start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("a1 OK AUTHENTICATE completed");
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
    }
    assertThat(fx.backend.received()).containsExactly("a1 AUTHENTICATE XOAUTH2 " + XOAUTH2, "a2 NOOP");
    assertThat(fx.auth.requests()).singleElement().satisfies(r -> {
      assertThat(r.header("Auth-Method")).isEqualTo("xoauth2");
      assertThat(r.header("Auth-Pass")).isEqualTo(TOKEN);
    });
  }

  @Test
  void oauthbearerGoesAfterTheContinuationWhenTheBackendHasNoSaslIr() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend("* OK fake ready").acceptToken(TOKEN)).start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE OAUTHBEARER " + OAUTHBEARER);
      assertThat(c.readLine()).isEqualTo("a1 OK AUTHENTICATE completed");
    }
    assertThat(fx.backend.received()).startsWith("a1 AUTHENTICATE OAUTHBEARER", OAUTHBEARER);
  }

  @Test
  void aTokenTheBackendRejectsIsRelayedWithProxyPassErrorMessage() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend(DOVECOT_GREETING).acceptToken("another"))
        .start(TOKEN_MODE + " proxy_pass_error_message on;");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void anErrorChallengeIsAnsweredByTheProxyAndOnlyTheFinalNoReachesTheClient() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend(DOVECOT_GREETING).acceptToken("another").errorChallenge())
        .start(TOKEN_MODE + " proxy_pass_error_message on;");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE OAUTHBEARER " + OAUTHBEARER);
      assertThat(c.readLine()).isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
      assertThat(c.closedWithin(2000)).isTrue();
    }
    assertThat(fx.backend.received()).containsExactly("a1 AUTHENTICATE OAUTHBEARER " + OAUTHBEARER, "AQ==");
  }

  @Test
  void withoutProxyPassErrorMessageARejectedTokenIsAnInternalError() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend(DOVECOT_GREETING).acceptToken("another").errorChallenge())
        .start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("* BAD internal server error");
    }
    assertThat(fx.backend.received()).containsExactly("a1 AUTHENTICATE XOAUTH2 " + XOAUTH2, "");
  }

  @Test
  void passwordLoginsInTokenModeStillUseTheClientsPassword() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend(DOVECOT_GREETING).acceptToken(TOKEN)).start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN " + USER + " client-pw");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    assertThat(fx.backend.received()).first().isEqualTo("a1 LOGIN {16+}\r\n" + USER + " {9+}\r\nclient-pw");
  }

  @Test
  void withoutTokenModeATokenLoginIsAPasswordLoginAsBefore() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend(DOVECOT_GREETING).acceptToken(TOKEN))
        .start("imap_auth plain xoauth2 oauthbearer;");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    assertThat(fx.backend.received()).first().isEqualTo("a1 LOGIN {16+}\r\n" + USER + " {7+}\r\n" + TOKEN);
  }

  @Test
  void masterModeLogsInAsUserStarMasterWithTheMasterPassword() throws Exception {
    Files.writeString(dir.resolve("master.pw"), "master-pw\n");
    fx = new ImapProxyFixture(dir, new FakeImapBackend())
        .start("proxy_backend_login master; proxy_backend_master proxy master.pw; imap_auth plain xoauth2;");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN " + USER + " client-pw");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    try (LineClient c = fx.connect()) {
      c.send("b1 AUTHENTICATE XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("b1 OK LOGIN completed");
    }
    assertThat(fx.backend.received()).containsExactly(
        "a1 LOGIN {22}\r\n" + USER + "*proxy {9}\r\nmaster-pw",
        "b1 LOGIN {22}\r\n" + USER + "*proxy {9}\r\nmaster-pw");
  }
}
