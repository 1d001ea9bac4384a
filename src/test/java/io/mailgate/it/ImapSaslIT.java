package io.mailgate.it;

import static io.mailgate.testkit.ImapProxyFixture.b64;
import static io.mailgate.testkit.ImapProxyFixture.unb64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.ImapProxyTestBase;
import io.mailgate.testkit.LineClient;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every SASL mechanism of IMAP AUTHENTICATE through mailgate, with and without initial response, and its refusals. */
class ImapSaslIT extends ImapProxyTestBase {

  private static final String ALL_MECHANISMS = "imap_auth plain login cram-md5 external xoauth2 oauthbearer;";
  private static final String USER = "test@example.com";
  private static final String LOGIN_OK = "a1 OK LOGIN completed";
  private static final String BAD = "a1 BAD invalid command";

  @Test
  void plainWithInitialResponseLogsIn() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN " + b64("\0" + USER + "\0secret"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("plain");
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-Pass")).isEqualTo("secret");
    assertThat(fx.backend.received().get(0)).isEqualTo("a1 LOGIN {16}\r\n" + USER + " {6}\r\nsecret");
  }

  @Test
  void plainWithoutInitialResponseSendsAnEmptyChallenge() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send(b64("authz\0" + USER + "\0secret"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo(USER);
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("secret");
  }

  @Test
  void loginWithoutInitialResponsePromptsForUserAndPassword() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE LOGIN");
      assertThat(c.readLine()).isEqualTo("+ VXNlcm5hbWU6");
      c.send(b64(USER));
      assertThat(c.readLine()).isEqualTo("+ UGFzc3dvcmQ6");
      c.send(b64("secret"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    // nginx reports LOGIN to the auth service as "plain".
    assertThat(request.header("Auth-Method")).isEqualTo("plain");
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-Pass")).isEqualTo("secret");
  }

  @Test
  void loginWithTheUserNameAsInitialResponsePromptsForThePasswordOnly() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE LOGIN " + b64(USER));
      assertThat(c.readLine()).isEqualTo("+ UGFzc3dvcmQ6");
      c.send(b64("secret"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo(USER);
    assertThat(fx.backend.received().get(0)).isEqualTo("a1 LOGIN {16}\r\n" + USER + " {6}\r\nsecret");
  }

  @Test
  void cramMd5SendsTheSaltAndLogsInToTheBackendWithTheServicesPassword() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: backend-pw"));
    fx.start(ALL_MECHANISMS);
    String salt;
    String digest;
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE CRAM-MD5");
      String challenge = c.readLine();
      assertThat(challenge).startsWith("+ ");
      salt = unb64(challenge.substring(2));
      assertThat(salt).matches("<\\d+\\.\\d+@.+>");
      digest = hmacMd5Hex("secret", salt);
      c.send(b64(USER + " " + digest));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("cram-md5");
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-Salt")).isEqualTo(salt);
    assertThat(request.header("Auth-Pass")).isEqualTo(digest);
    assertThat(fx.backend.received().get(0)).isEqualTo("a1 LOGIN {16}\r\n" + USER + " {10}\r\nbackend-pw");
  }

  @Test
  void cramMd5WithoutAuthPassFromTheServiceIsAnInternalError() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE CRAM-MD5");
      String salt = unb64(c.readLine().substring(2));
      c.send(b64(USER + " " + hmacMd5Hex("secret", salt)));
      assertThat(c.readLine()).isEqualTo("* BAD internal server error");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.backend.received()).isEmpty();
  }

  @Test
  void externalWithInitialResponseLogsInWithTheServicesPassword() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: backend-pw"));
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE EXTERNAL " + b64(USER));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("external");
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-Pass")).isEmpty();
    assertThat(fx.backend.received().get(0)).isEqualTo("a1 LOGIN {16}\r\n" + USER + " {10}\r\nbackend-pw");
  }

  @Test
  void externalWithoutInitialResponsePromptsForTheIdentity() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: backend-pw"));
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE EXTERNAL");
      assertThat(c.readLine()).isEqualTo("+ VXNlcm5hbWU6");
      c.send(b64(USER));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo(USER);
  }

  @Test
  void externalWithoutAuthPassFromTheServiceIsAnInternalError() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE EXTERNAL " + b64(USER));
      assertThat(c.readLine()).isEqualTo("* BAD internal server error");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.auth.requests()).hasSize(1);
    assertThat(fx.backend.received()).isEmpty();
  }

  @Test
  void externalWithAnEmptyInitialResponseAsksWithAnEmptyUser() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-User: " + USER, "Auth-Pass: backend-pw"));
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE EXTERNAL =");
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("external");
    assertThat(request.header("Auth-User")).isEmpty();
  }

  @Test
  void xoauth2WithInitialResponseSendsTheEscapedTokenAsAuthPass() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2 " + b64("user=" + USER + "\1auth=Bearer ya29.tok en\1\1"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("xoauth2");
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-Pass")).isEqualTo("ya29.tok%20en");
    // Without Auth-Pass in the answer the token itself is the backend password (reference §1.7).
    assertThat(fx.backend.received().get(0)).isEqualTo("a1 LOGIN {16}\r\n" + USER + " {11}\r\nya29.tok en");
  }

  @Test
  void xoauth2WithoutInitialResponseSendsAnEmptyChallenge() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send(b64("user=" + USER + "\1auth=Bearer tok\1\1"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("xoauth2");
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("tok");
  }

  @Test
  void oauthbearerWithInitialResponseSendsTheEscapedTokenAsAuthPass() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE OAUTHBEARER "
          + b64("n,a=" + USER + ",\1host=127.0.0.1\1port=143\1auth=Bearer abc def%\1\1"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("oauthbearer");
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-Pass")).isEqualTo("abc%20def%25");
  }

  @Test
  void oauthbearerWithoutInitialResponseSendsAnEmptyChallenge() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE OAUTHBEARER");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send(b64("n,a=" + USER + ",\1auth=Bearer tok\1\1"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("oauthbearer");
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo(USER);
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("tok");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a1 AUTHENTICATE CRAM-MD5",
      "a1 AUTHENTICATE EXTERNAL",
      "a1 AUTHENTICATE EXTERNAL dGVzdA==",
      "a1 AUTHENTICATE XOAUTH2",
      "a1 AUTHENTICATE XOAUTH2 dXNlcj11AWF1dGg9QmVhcmVyIHQBAQ==",
      "a1 AUTHENTICATE OAUTHBEARER",
      "a1 AUTHENTICATE OAUTHBEARER bixhPXUsAWF1dGg9QmVhcmVyIHQBAQ=="})
  void aMechanismNotEnabledByImapAuthIsAnInvalidCommand(String command) throws Exception {
    fx.start("imap_auth plain;");
    try (LineClient c = fx.connect()) {
      c.send(command);
      assertThat(c.readLine()).isEqualTo(BAD);
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void plainAndLoginAreAcceptedWhateverImapAuthSays() throws Exception {
    fx.start("imap_auth xoauth2;");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN " + b64("\0" + USER + "\0secret"));
      assertThat(c.readLine()).isEqualTo(LOGIN_OK);
    }
    try (LineClient c = fx.connect()) {
      c.send("b1 AUTHENTICATE LOGIN " + b64(USER));
      assertThat(c.readLine()).isEqualTo("+ UGFzc3dvcmQ6");
      c.send(b64("secret"));
      assertThat(c.readLine()).isEqualTo("b1 OK LOGIN completed");
    }
    assertThat(fx.auth.requests()).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a1 AUTHENTICATE",
      "a1 AUTHENTICATE FOO-BAR",
      "a1 AUTHENTICATE CRAM-MD5 dGVzdA==",
      "a1 AUTHENTICATE PLAIN AHVAZXgAcA== extra",
      "a1 AUTHENTICATE PLAIN =",
      "a1 AUTHENTICATE PLAIN !!!!",
      "a1 AUTHENTICATE XOAUTH2 *",
      "a1 AUTHENTICATE OAUTHBEARER ####"})
  void malformedAuthenticateIsAnInvalidCommandAndTheServiceIsNeverAsked(String command) throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send(command);
      assertThat(c.readLine()).isEqualTo(BAD);
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "EXTERNAL", "CRAM-MD5"})
  void base64GarbageAsAContinuationIsAnInvalidCommand(String mechanism) throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE " + mechanism);
      assertThat(c.readLine()).startsWith("+ ");
      c.send("@@@@");
      assertThat(c.readLine()).isEqualTo(BAD);
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  static Stream<Arguments> userNamesWithLineBreaksOrNul() {
    String digest = "0123456789abcdef0123456789abcdef";
    return Stream.of(
        Arguments.of("PLAIN " + b64("\0te\rst\0secret"), null),
        Arguments.of("PLAIN " + b64("\0te\nst\0secret"), null),
        Arguments.of("PLAIN", b64("\0te\r\nst\0secret")),
        Arguments.of("LOGIN " + b64("te\0st"), null),
        Arguments.of("LOGIN " + b64("te\nst"), null),
        Arguments.of("LOGIN", b64("te\rst")),
        Arguments.of("XOAUTH2 " + b64("user=te\nst\1auth=Bearer tok\1\1"), null),
        Arguments.of("XOAUTH2 " + b64("user=te\0st\1auth=Bearer tok\1\1"), null),
        Arguments.of("OAUTHBEARER " + b64("n,a=te\rst,\1auth=Bearer tok\1\1"), null),
        Arguments.of("OAUTHBEARER " + b64("n,a=te\0st,\1auth=Bearer tok\1\1"), null),
        Arguments.of("EXTERNAL " + b64("te\0st"), null),
        Arguments.of("EXTERNAL", b64("te\r\nst")),
        Arguments.of("CRAM-MD5", b64("te\nst " + digest)));
  }

  @ParameterizedTest
  @MethodSource("userNamesWithLineBreaksOrNul")
  void aDecodedUserWithCrLfOrNulIsAnInvalidCommandAndTheServiceIsNeverAsked(String authenticate, String response)
      throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE " + authenticate);
      if (response != null) {
        assertThat(c.readLine()).startsWith("+ ");
        c.send(response);
      }
      assertThat(c.readLine()).isEqualTo(BAD);
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void aLoginCommandWhoseLiteralUserHoldsCrLfIsAnInvalidCommand() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN {6}");
      assertThat(c.readLine()).isEqualTo("+ OK");
      c.send("te\r\nst secret");
      assertThat(c.readLine()).isEqualTo(BAD);
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  private static String hmacMd5Hex(String key, String message) throws Exception {
    Mac mac = Mac.getInstance("HmacMD5");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
    return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
  }
}
