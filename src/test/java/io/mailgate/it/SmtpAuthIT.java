package io.mailgate.it;

import static io.mailgate.testkit.SmtpProxyFixture.b64;
import static io.mailgate.testkit.SmtpProxyFixture.unb64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.SmtpProxyFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SMTP AUTH (RFC 4954) with every mechanism, every auth_http outcome and the RFC 7628 error flow. */
class SmtpAuthIT {

  private static final String ALL = "smtp_auth plain login cram-md5 external xoauth2 oauthbearer;";
  private static final String OAUTHBEARER_IR = b64("n,a=user@example.com,\u0001auth=Bearer tok\u0001\u0001");
  private static final String XOAUTH2_IR = b64("user=user@example.com\u0001auth=Bearer tok\u0001\u0001");

  @TempDir Path dir;
  SmtpProxyFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new SmtpProxyFixture(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    LeakWatcher.assertNoLeaks();
  }

  private FakeAuthServer.Request onlyRequest() {
    assertThat(fx.auth.requests()).hasSize(1);
    return fx.auth.requests().get(0);
  }

  @Test
  void plainWithInitialResponse() throws Exception {
    fx.start(ALL);
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH PLAIN " + b64("\0user@example.com\0secret"))).isEqualTo("235 2.0.0 OK");
    }
    FakeAuthServer.Request r = onlyRequest();
    assertThat(r.header("Auth-Method")).isEqualTo("plain");
    assertThat(r.header("Auth-User")).isEqualTo("user@example.com");
    assertThat(r.header("Auth-Pass")).isEqualTo("secret");
    assertThat(r.header("Auth-Protocol")).isEqualTo("smtp");
    assertThat(r.header("Auth-Login-Attempt")).isEqualTo("1");
    assertThat(r.header("Client-IP")).isEqualTo("127.0.0.1");
    assertThat(r.header("Client-Host")).isEqualTo("[UNAVAILABLE]");
    assertThat(r.header("Auth-SMTP-Helo")).isNull();
  }

  @Test
  void plainWithTheEmptyChallenge() throws Exception {
    fx.start(ALL);
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH PLAIN")).isEqualTo("334 ");
      assertThat(c.command(b64("\0user@example.com\0secret"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(onlyRequest().header("Auth-Pass")).isEqualTo("secret");
  }

  @Test
  void loginInTwoStepsAndWithTheUserNameOnTheAuthLine() throws Exception {
    fx.start(ALL);
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
      assertThat(c.command(b64("user@example.com"))).isEqualTo("334 UGFzc3dvcmQ6");
      assertThat(c.command(b64("secret"))).isEqualTo("235 2.0.0 OK");
    }
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("auth login " + b64("user@example.com"))).isEqualTo("334 UGFzc3dvcmQ6");
      assertThat(c.command(b64("secret"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.auth.requests()).allSatisfy(r -> {
      assertThat(r.header("Auth-Method")).isEqualTo("plain");
      assertThat(r.header("Auth-Pass")).isEqualTo("secret");
    });
  }

  @Test
  void cramMd5SendsTheSaltAndTheDigest() throws Exception {
    fx.start(ALL);
    try (SmtpClient c = fx.connect()) {
      String challenge = c.command("AUTH CRAM-MD5");
      assertThat(challenge).startsWith("334 ");
      String salt = unb64(challenge.substring(4));
      assertThat(salt).matches("<\\d+\\.\\d+@mx\\.test>");
      assertThat(c.command(b64("user@example.com " + hmac("secret", salt)))).isEqualTo("235 2.0.0 OK");
    }
    FakeAuthServer.Request r = onlyRequest();
    assertThat(r.header("Auth-Method")).isEqualTo("cram-md5");
    assertThat(r.header("Auth-Salt")).startsWith("<");
    assertThat(r.header("Auth-Pass")).hasSize(32);
  }

  @Test
  void cramMd5TakesNoInitialResponse() throws Exception {
    fx.start(ALL);
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH CRAM-MD5 abcd")).isEqualTo("500 5.5.1 Invalid command");
    }
  }

  @Test
  void externalWithAndWithoutTheUserNameOnTheAuthLine() throws Exception {
    fx.start(ALL);
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH EXTERNAL")).isEqualTo("334 VXNlcm5hbWU6");
      assertThat(c.command(b64("user@example.com"))).isEqualTo("235 2.0.0 OK");
    }
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH EXTERNAL " + b64("user@example.com"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.auth.requests()).allSatisfy(r -> {
      assertThat(r.header("Auth-Method")).isEqualTo("external");
      assertThat(r.header("Auth-User")).isEqualTo("user@example.com");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"XOAUTH2", "OAUTHBEARER"})
  void oauthWithInitialResponseAndAfterTheEmptyChallenge(String mechanism) throws Exception {
    fx.start(ALL);
    String ir = mechanism.equals("XOAUTH2") ? XOAUTH2_IR : OAUTHBEARER_IR;
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH " + mechanism + " " + ir)).isEqualTo("235 2.0.0 OK");
    }
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH " + mechanism)).isEqualTo("334 ");
      assertThat(c.command(ir)).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.auth.requests()).allSatisfy(r -> {
      assertThat(r.header("Auth-Method")).isEqualTo(mechanism.toLowerCase(Locale.ROOT));
      assertThat(r.header("Auth-User")).isEqualTo("user@example.com");
      assertThat(r.header("Auth-Pass")).isEqualTo("tok");
    });
  }

  @Test
  void mechanismsNotEnabledAreInvalidButPlainAndLoginAlwaysWork() throws Exception {
    fx.start("smtp_auth cram-md5;");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH XOAUTH2 " + XOAUTH2_IR)).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("AUTH EXTERNAL")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("AUTH DIGEST-MD5")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("AUTH PLAIN a b")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
    }
  }

  @Test
  void invalidBase64IsAnInvalidCommandAndTheSessionGoesOn() throws Exception {
    fx.start(ALL);
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH PLAIN !!!")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
      assertThat(c.command("*")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 OK");
    }
  }

  @Test
  void aFailureWithAuthWaitKeepsTheSessionAndCountsAttempts() throws Exception {
    fx.start(ALL);
    fx.auth.respondWith(r -> "secret".equals(r.header("Auth-Pass")) ? FakeAuthServer.ok(fx.backend.port())
        : FakeAuthServer.fail("Bad credentials", "Auth-Wait: 1"));
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH PLAIN " + b64("\0u\0bad"))).isEqualTo("535 5.7.0 Bad credentials");
      assertThat(c.command("AUTH PLAIN " + b64("\0u\0secret"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.auth.requests().get(1).header("Auth-Login-Attempt")).isEqualTo("2");
  }

  @Test
  void authErrorCodeReplacesTheDefaultCodeAndNoAuthWaitCloses() throws Exception {
    fx.start(ALL);
    fx.auth.respondWith(r -> FakeAuthServer.fail("Temporary problem", "Auth-Error-Code: 454 4.7.0"));
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH PLAIN " + b64("\0u\0p"))).isEqualTo("454 4.7.0 Temporary problem");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void anUnreachableAuthServiceIsAnInternalError() throws Exception {
    fx.start(ALL);
    fx.auth.respondWith(r -> "garbage without headers\u0001");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH PLAIN " + b64("\0u\0p"))).isEqualTo("451 4.3.2 Internal server error");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void oauthbearerErrorChallengeThenDummyResponseGivesTheFailureReply() throws Exception {
    fx.start(ALL);
    fx.auth.respondWith(r -> FakeAuthServer.fail("auth failed here", "Auth-Wait: 1",
        "Auth-Error-SASL: eyJzdGF0dXMiOiI0MDEifQ==", "Auth-Error-Code: 535 5.7.8"));
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH OAUTHBEARER " + OAUTHBEARER_IR)).isEqualTo("334 eyJzdGF0dXMiOiI0MDEifQ==");
      assertThat(c.command("AQ==")).isEqualTo("535 5.7.8 auth failed here");
      assertThat(c.command("AUTH OAUTHBEARER " + OAUTHBEARER_IR)).isEqualTo("334 eyJzdGF0dXMiOiI0MDEifQ==");
      assertThat(c.command("foo")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 OK");
    }
  }

  @Test
  void xoauth2ErrorChallengeIsAcknowledgedWithAnEmptyLineAndClosesWithoutAuthWait() throws Exception {
    fx.start(ALL);
    fx.auth.respondWith(r -> FakeAuthServer.fail("auth failed", "Auth-Error-SASL: eyJzdGF0dXMiOiI0MDEifQ=="));
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH XOAUTH2 " + XOAUTH2_IR)).isEqualTo("334 eyJzdGF0dXMiOiI0MDEifQ==");
      assertThat(c.command("")).isEqualTo("535 5.7.0 auth failed");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void pipelinedAuthAndMailAfterAFailureAreBothAnswered() throws Exception {
    fx.start(ALL);
    fx.auth.respondWith(r -> FakeAuthServer.fail("nope", "Auth-Wait: 1"));
    try (SmtpClient c = fx.connect()) {
      c.sendRaw("AUTH PLAIN " + b64("\0u\0bad") + "\r\nMAIL FROM:<u@example.com>\r\n");
      assertThat(c.reply()).isEqualTo("535 5.7.0 nope");
      assertThat(c.reply()).isEqualTo("530 5.7.1 Authentication required");
    }
  }

  private static String hmac(String key, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacMD5");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }
}
