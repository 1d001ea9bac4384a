package io.mailgate.it;

import static io.mailgate.testkit.ImapProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.ImapProxyFixture;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords, tokens and Auth-Pass values never reach the error log, even at debug level. */
class SecretsNotLoggedIT {

  private static final String PLAIN_PASSWORD = "Pl41n-S3cret-pw";
  private static final String TOKEN = "ya29.XoAuth2-T0ken-value";
  private static final String LOGIN_PASSWORD = "L0gin-Cmd-Pa55";
  private static final String REJECTED_PASSWORD = "Rej3cted-Pa55";
  private static final String SERVICE_PASSWORD = "Svc-Backend-Pa55";

  @TempDir Path dir;
  ImapProxyFixture fx;

  @AfterEach
  void stop() throws Exception {
    fx.close();
    LeakWatcher.assertNoLeaks();
  }

  @Test
  void noSecretAppearsInTheLogOfPlainXoauth2AndLoginLogins() throws Exception {
    fx = new ImapProxyFixture(dir);
    fx.auth.respondWith(r -> {
      if (REJECTED_PASSWORD.equals(r.header("Auth-Pass"))) {
        return FakeAuthServer.fail("bad password");
      }
      return "xoauth2".equals(r.header("Auth-Method"))
          ? FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: " + SERVICE_PASSWORD)
          : FakeAuthServer.ok(fx.backend.port());
    });
    fx.start("imap_auth plain login xoauth2;");
    String plainIr = b64("\0test@example.com\0" + PLAIN_PASSWORD);
    String xoauth2Ir = b64("user=test@example.com\1auth=Bearer " + TOKEN + "\1\1");
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      try (LineClient c = fx.connect()) {
        c.send("a1 AUTHENTICATE PLAIN " + plainIr);
        assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
        c.send("a2 LOGOUT");
        assertThat(c.readLines(2)).containsExactly("* BYE fake logging out", "a2 OK LOGOUT completed");
      }
      try (LineClient c = fx.connect()) {
        c.send("b1 AUTHENTICATE XOAUTH2");
        assertThat(c.readLine()).isEqualTo("+ ");
        c.send(xoauth2Ir);
        assertThat(c.readLine()).isEqualTo("b1 OK LOGIN completed");
      }
      try (LineClient c = fx.connect()) {
        c.send("c1 LOGIN test@example.com " + LOGIN_PASSWORD);
        assertThat(c.readLine()).isEqualTo("c1 OK LOGIN completed");
      }
      try (LineClient c = fx.connect()) {
        c.send("d1 LOGIN test@example.com " + REJECTED_PASSWORD);
        assertThat(c.readLine()).isEqualTo("d1 NO bad password");
      }
      try (LineClient c = fx.connect()) {
        c.send("e1 LOGIN reject@example.com " + LOGIN_PASSWORD);
        assertThat(c.readLine()).isEqualTo("* BAD internal server error");
      }
      assertThat(fx.auth.requests()).hasSize(5);
      // The capture did see these sessions, at debug level too, so the absence below means something.
      assertThat(log.text()).contains("client logged in", "auth http request", "client login failed");
      for (String secret : List.of(PLAIN_PASSWORD, TOKEN, LOGIN_PASSWORD, REJECTED_PASSWORD, SERVICE_PASSWORD,
          plainIr, xoauth2Ir, b64(TOKEN), b64(PLAIN_PASSWORD))) {
        assertThat(log.text()).doesNotContain(secret);
      }
    }
  }
}
