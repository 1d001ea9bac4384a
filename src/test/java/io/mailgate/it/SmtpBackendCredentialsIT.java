package io.mailgate.it;

import static io.mailgate.testkit.SmtpProxyFixture.b64;
import static io.mailgate.testkit.SmtpProxyFixture.unb64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.SmtpProxyFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxy_backend_login token | master} towards an SMTP backend. */
class SmtpBackendCredentialsIT {

  private static final String USER = "test@example.com";
  private static final String TOKEN = "tok-123";
  private static final String XOAUTH2 = b64("user=" + USER + "\1auth=Bearer " + TOKEN + "\1\1");
  private static final String OAUTHBEARER = b64("n,a=" + USER + ",\1auth=Bearer " + TOKEN + "\1\1");
  private static final String TOKEN_MODE = "proxy_backend_login token; smtp_auth plain login xoauth2 oauthbearer;";

  @TempDir Path dir;
  SmtpProxyFixture fx;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  @Test
  void xoauth2ReplacesXclientLoginAndTheClientGets235() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().announceXclient().acceptToken(TOKEN)).start(TOKEN_MODE);
    int clientPort;
    try (SmtpClient c = fx.connect()) {
      clientPort = c.localPort();
      c.command("EHLO client.example");
      assertThat(c.command("AUTH XOAUTH2 " + XOAUTH2)).isEqualTo("235 2.0.0 OK");
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 Ok");
    }
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test", "XCLIENT ADDR=127.0.0.1 PORT=" + clientPort
        + " PROTO=ESMTP HELO=client.example NAME=[UNAVAILABLE] DESTADDR=127.0.0.1 DESTPORT=" + fx.port(),
        "EHLO client.example", "AUTH XOAUTH2 " + XOAUTH2, "NOOP");
  }

  @Test
  void oauthbearerIsPassedOnWithoutXclient() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().acceptToken(TOKEN)).start(TOKEN_MODE + " xclient off;");
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH OAUTHBEARER " + OAUTHBEARER)).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.backend.received()).startsWith("EHLO mx.test", "AUTH OAUTHBEARER " + OAUTHBEARER);
  }

  @Test
  void aTokenTheBackendRejectsIsRelayedWithProxyPassErrorMessage() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().acceptToken("another"))
        .start(TOKEN_MODE + " xclient off; proxy_pass_error_message on;");
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH XOAUTH2 " + XOAUTH2))
          .isEqualTo("535 5.7.8 Error: authentication failed: Invalid token");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void anErrorChallengeIsAnsweredByTheProxyAndOnlyThe535ReachesTheClient() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().acceptToken("another").errorChallenge())
        .start(TOKEN_MODE + " xclient off; proxy_pass_error_message on;");
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH OAUTHBEARER " + OAUTHBEARER))
          .isEqualTo("535 5.7.8 Error: authentication failed: Invalid token");
    }
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test", "AUTH OAUTHBEARER " + OAUTHBEARER, "AQ==");
  }

  @Test
  void withoutProxyPassErrorMessageARejectedTokenIsAnInternalError() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().acceptToken("another").errorChallenge())
        .start(TOKEN_MODE + " xclient off;");
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH XOAUTH2 " + XOAUTH2)).startsWith("451 4.3.2 ");
    }
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test", "AUTH XOAUTH2 " + XOAUTH2, "");
  }

  @Test
  void passwordLoginsInTokenModeKeepXclientLogin() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().acceptToken(TOKEN)).start(TOKEN_MODE);
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH PLAIN " + b64("\0" + USER + "\0secret"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.backend.received()).startsWith("EHLO mx.test",
        "XCLIENT ADDR=127.0.0.1 LOGIN=test@example.com NAME=[UNAVAILABLE]");
  }

  @Test
  void masterModeAuthenticatesAsUserStarMasterWithTheMasterPassword() throws Exception {
    Files.writeString(dir.resolve("master.pw"), "master-pw\n");
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend())
        .start("proxy_backend_login master; proxy_backend_master proxy master.pw; proxy_smtp_auth on; xclient off;"
            + " smtp_auth plain xoauth2;");
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH XOAUTH2 " + XOAUTH2)).isEqualTo("235 2.0.0 OK");
    }
    String auth = fx.backend.received().get(1);
    assertThat(auth).startsWith("AUTH PLAIN ");
    assertThat(unb64(auth.substring(11))).isEqualTo("\0" + USER + "*proxy\0master-pw");
  }
}
