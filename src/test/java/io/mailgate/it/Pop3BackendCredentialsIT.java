package io.mailgate.it;

import static io.mailgate.testkit.Pop3ProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.Pop3ProxyFixture;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxy_backend_login token | master} towards a POP3 backend. */
class Pop3BackendCredentialsIT {

  private static final String USER = "test@example.com";
  /** The token mail_pop3.t's auth script accepts, with {@code Auth-Pass: secret} that token mode leaves unused. */
  private static final String TOKEN = "secretok";
  private static final String XOAUTH2 = b64("user=" + USER + "\1auth=Bearer " + TOKEN + "\1\1");
  private static final String OAUTHBEARER = b64("n,a=" + USER + ",\1auth=Bearer " + TOKEN + "\1\1");
  private static final String TOKEN_MODE = "proxy_backend_login token; pop3_auth plain xoauth2 oauthbearer;";

  @TempDir Path dir;
  Pop3ProxyFixture fx;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  @Test
  void xoauth2IsPassedOnWithAuthAndTheBackendsOkReachesTheClient() throws Exception {
    fx = new Pop3ProxyFixture(dir);
    fx.backend.acceptToken(TOKEN);
    fx.start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("AUTH XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("+OK Logged in.");
      c.send("STAT");
      assertThat(c.readLine()).startsWith("+OK 1 ");
    }
    assertThat(fx.backend.received()).containsExactly("AUTH XOAUTH2 " + XOAUTH2, "STAT");
  }

  @Test
  void oauthbearerIsPassedOnAsOauthbearer() throws Exception {
    fx = new Pop3ProxyFixture(dir);
    fx.backend.acceptToken(TOKEN);
    fx.start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER " + OAUTHBEARER);
      assertThat(c.readLine()).isEqualTo("+OK Logged in.");
    }
    assertThat(fx.backend.received()).first().isEqualTo("AUTH OAUTHBEARER " + OAUTHBEARER);
  }

  @Test
  void aTokenTheBackendRejectsIsRelayedWithProxyPassErrorMessage() throws Exception {
    fx = new Pop3ProxyFixture(dir);
    fx.backend.acceptToken("another");
    fx.start(TOKEN_MODE + " proxy_pass_error_message on;");
    try (LineClient c = fx.connect()) {
      c.send("AUTH XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("-ERR [AUTH] Authentication failed.");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void anErrorChallengeIsAnsweredByTheProxyAndOnlyTheFinalErrReachesTheClient() throws Exception {
    fx = new Pop3ProxyFixture(dir);
    fx.backend.acceptToken("another").errorChallenge();
    fx.start(TOKEN_MODE + " proxy_pass_error_message on;");
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER " + OAUTHBEARER);
      assertThat(c.readLine()).isEqualTo("-ERR [AUTH] Authentication failed.");
      assertThat(c.closedWithin(2000)).isTrue();
    }
    assertThat(fx.backend.received()).containsExactly("AUTH OAUTHBEARER " + OAUTHBEARER, "AQ==");
  }

  @Test
  void withoutProxyPassErrorMessageARejectedTokenIsAnInternalError() throws Exception {
    fx = new Pop3ProxyFixture(dir);
    fx.backend.acceptToken("another").errorChallenge();
    fx.start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("AUTH XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("-ERR internal server error");
    }
    assertThat(fx.backend.received()).containsExactly("AUTH XOAUTH2 " + XOAUTH2, "");
  }

  @Test
  void passwordLoginsInTokenModeStillUseUserAndPass() throws Exception {
    fx = new Pop3ProxyFixture(dir);
    fx.backend.acceptToken(TOKEN);
    fx.start(TOKEN_MODE);
    try (LineClient c = fx.connect()) {
      c.send("USER " + USER);
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret");
  }

  @Test
  void masterModeLogsInAsUserStarMasterWithTheMasterPassword() throws Exception {
    Files.writeString(dir.resolve("master.pw"), "master-pw\r\nignored second line\n");
    try (FakePop3Backend backend = new FakePop3Backend(USER + "*proxy", "master-pw");
        FakeAuthServer auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.port()));
        ProxyUnderTest proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
            + "proxy_backend_login master;\nproxy_backend_master proxy master.pw;\n"
            + "server { listen 127.0.0.1:%PORT%; protocol pop3; pop3_auth plain xoauth2; }");
        LineClient c = new LineClient(proxy.port())) {
      assertThat(c.readLine()).startsWith("+OK");
      c.send("AUTH XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
      assertThat(backend.received()).containsExactly("USER " + USER + "*proxy", "PASS master-pw");
    }
  }
}
