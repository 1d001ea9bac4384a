package io.mailgate.sasl;

import static io.mailgate.sasl.SaslTestSupport.b64;
import static io.mailgate.sasl.SaslTestSupport.challenge;
import static io.mailgate.sasl.SaslTestSupport.done;
import static io.mailgate.sasl.SaslTestSupport.invalid;
import static io.mailgate.sasl.SaslTestSupport.raw;
import static io.mailgate.sasl.SaslTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SaslTest {

  /** RFC 2195 §2 example challenge. */
  private static final String RFC2195_SALT = "<1896.697170952@postoffice.reston.mci.net>";
  private static final SaslContext STRICT = new SaslContext(() -> RFC2195_SALT, false);
  private static final SaslContext FASTMAIL = new SaslContext(() -> RFC2195_SALT, true);

  private static SaslStep oneShot(Mechanism mechanism, SaslContext context, String initialResponse) {
    return Sasl.start(mechanism, context).start(Optional.of(initialResponse));
  }

  private static SaslStep afterEmptyChallenge(Mechanism mechanism, SaslContext context, String response) {
    SaslExchange exchange = Sasl.start(mechanism, context);
    assertThat(challenge(exchange.start(Optional.empty()))).isEmpty();
    return exchange.next(response);
  }

  private static void assertCredentials(Credentials c, Mechanism mechanism, String login, String secret) {
    assertThat(c.mechanism()).isEqualTo(mechanism);
    assertThat(c.login()).isEqualTo(utf8(raw(login)));
    assertThat(c.secret()).isEqualTo(utf8(raw(secret)));
    assertThat(c.salt()).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @EnumSource(value = Mechanism.class, names = {"APOP", "NONE"})
  void refusesMechanismsThatAreNotSasl(Mechanism mechanism) {
    assertThatThrownBy(() -> Sasl.start(mechanism, STRICT)).isInstanceOf(IllegalArgumentException.class);
  }

  @Nested
  class Plain {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "^@tim^@tanstaaftanstaaf      | tim       | tanstaaftanstaaf",
        "Ursel^@Kurt^@xipj3plmq       | Kurt      | xipj3plmq",
        "^@^@secret                   | \"\"      | secret",
        "^@user^@                     | user      | \"\"",
        "^@us er^@pass word^A         | us er     | pass word^A",
        "^@\u00fcser^@p\u00e4ss        | \u00fcser | p\u00e4ss",
    })
    void takesTheAuthcidAsLoginAndTheRestAsPassword(String message, String login, String password) {
      assertCredentials(done(oneShot(Mechanism.PLAIN, STRICT, b64(message))), Mechanism.PLAIN, login, password);
      assertCredentials(done(afterEmptyChallenge(Mechanism.PLAIN, STRICT, b64(message))),
          Mechanism.PLAIN, login, password);
    }

    @Test
    void acceptsUnpaddedBase64() {
      assertCredentials(done(oneShot(Mechanism.PLAIN, STRICT, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")),
          Mechanism.PLAIN, "tim", "tanstaaftanstaaf");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"                 | login",
        "tim                  | login",
        "tim^@                | login",
        "^@tim                | password",
        "authz^@tim           | password",
        "^@t^Mim^@s3cr3t      | login",
        "^@t^Jim^@s3cr3t      | login",
        "^@tim^@s3c^Mr3t      | password",
        "^@tim^@s3c^Jr3t      | password",
        "^@tim^@s3c^@r3t      | password",
    })
    void refusesMalformedMessages(String message, String what) {
      String logMessage = invalid(oneShot(Mechanism.PLAIN, STRICT, b64(message)));
      assertThat(logMessage).isEqualTo("client sent invalid " + what + " in AUTH PLAIN command").doesNotContain("s3c");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"*", "AHRpbQB0a", "AHRpbQB0a W="})
    void refusesBadBase64(String text) {
      assertThat(invalid(afterEmptyChallenge(Mechanism.PLAIN, STRICT, text)))
          .isEqualTo("client sent invalid base64 encoding in AUTH PLAIN command");
    }
  }

  @Nested
  class Login {

    @Test
    void promptsForUsernameThenPassword() {
      SaslExchange exchange = Sasl.start(Mechanism.LOGIN, STRICT);

      assertThat(challenge(exchange.start(Optional.empty()))).isEqualTo("VXNlcm5hbWU6");
      assertThat(challenge(exchange.next(b64("tim")))).isEqualTo("UGFzc3dvcmQ6");
      Credentials credentials = done(exchange.next(b64("tanstaaftanstaaf")));

      assertCredentials(credentials, Mechanism.LOGIN, "tim", "tanstaaftanstaaf");
      assertThat(credentials.mechanism().authHttpMethod()).isEqualTo("plain");
    }

    @Test
    void takesAnInitialResponseAsTheUsername() {
      SaslExchange exchange = Sasl.start(Mechanism.LOGIN, STRICT);

      assertThat(challenge(exchange.start(Optional.of(b64("tim"))))).isEqualTo("UGFzc3dvcmQ6");
      assertCredentials(done(exchange.next(b64("pw"))), Mechanism.LOGIN, "tim", "pw");
    }

    @Test
    void acceptsEmptyUsernameAndPasswordLikeNginx() {
      SaslExchange exchange = Sasl.start(Mechanism.LOGIN, STRICT);
      exchange.start(Optional.empty());

      assertThat(challenge(exchange.next(""))).isEqualTo("UGFzc3dvcmQ6");
      assertCredentials(done(exchange.next("")), Mechanism.LOGIN, "", "");
    }

    @ParameterizedTest(name = "[{index}] user {0} password {1}")
    @CsvSource(delimiter = '|', value = {
        "*             | cHc=          | client sent invalid base64 encoding in AUTH LOGIN command",
        "dGlt          | *             | client sent invalid base64 encoding in AUTH LOGIN command",
        "dGlt          | cHc9c         | client sent invalid base64 encoding in AUTH LOGIN command",
        "dGltDQ==      | cHc=          | client sent invalid login in AUTH LOGIN command",
        "dGltCg==      | cHc=          | client sent invalid login in AUTH LOGIN command",
        "dGltAA==      | cHc=          | client sent invalid login in AUTH LOGIN command",
        "dGlt          | czNjcjN0DQ==  | client sent invalid password in AUTH LOGIN command",
        "dGlt          | czNjcjN0AHg=  | client sent invalid password in AUTH LOGIN command",
    })
    void refusesMalformedUsernameOrPassword(String user, String password, String expected) {
      SaslExchange exchange = Sasl.start(Mechanism.LOGIN, STRICT);
      exchange.start(Optional.empty());
      SaslStep step = exchange.next(user);
      if (step instanceof SaslStep.Challenge) {
        step = exchange.next(password);
      }
      assertThat(invalid(step)).isEqualTo(expected);
    }
  }

  @Nested
  class CramMd5 {

    @Test
    void runsTheRfc2195Example() {
      SaslExchange exchange = Sasl.start(Mechanism.CRAM_MD5, STRICT);

      assertThat(challenge(exchange.start(Optional.empty())))
          .isEqualTo("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
      Credentials credentials = done(exchange.next("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"));

      assertThat(credentials).isEqualTo(new Credentials(Mechanism.CRAM_MD5, utf8("tim"),
          utf8("b913a602c7eda7a495b4e6e7334d3890"), Optional.of(RFC2195_SALT)));
    }

    @Test
    void asksForTheSaltOnlyWhenTheExchangeStarts() {
      AtomicInteger calls = new AtomicInteger();
      SaslExchange exchange = Sasl.start(Mechanism.CRAM_MD5, new SaslContext(() -> {
        calls.incrementAndGet();
        return "<1.2@x>";
      }, false));
      assertThat(calls).hasValue(0);

      exchange.start(Optional.empty());

      assertThat(calls).hasValue(1);
    }

    @Test
    void refusesAnInitialResponse() {
      assertThat(invalid(oneShot(Mechanism.CRAM_MD5, STRICT, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")))
          .isEqualTo("client sent initial response in AUTH CRAM-MD5 command");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "timb913a602c7eda7a495b4e6e7334d3890          | invalid CRAM-MD5 hash",
        "tim b913a602c7eda7a495b4e6e7334d389          | invalid CRAM-MD5 hash",
        "tim b913a602c7eda7a495b4e6e7334d38900        | invalid CRAM-MD5 hash",
        "t im b913a602c7eda7a495b4e6e7334d3890        | invalid CRAM-MD5 hash",
        "\"\"                                         | invalid CRAM-MD5 hash",
        "ti^Mm b913a602c7eda7a495b4e6e7334d3890       | invalid login",
        "ti^@m b913a602c7eda7a495b4e6e7334d3890       | invalid login",
        "tim b913a602c7eda7a495b4e6e7334d38^J0        | invalid CRAM-MD5 hash",
    })
    void refusesMalformedResponses(String message, String what) {
      SaslExchange exchange = Sasl.start(Mechanism.CRAM_MD5, STRICT);
      exchange.start(Optional.empty());
      assertThat(invalid(exchange.next(b64(message)))).isEqualTo("client sent " + what + " in AUTH CRAM-MD5 command");
    }

    @Test
    void splitsAtTheFirstSpaceLikeNginx() {
      SaslExchange exchange = Sasl.start(Mechanism.CRAM_MD5, STRICT);
      exchange.start(Optional.empty());
      Credentials credentials = done(exchange.next(b64(" 0123456789 123456789 123456789 1")));
      assertThat(credentials.login()).isEmpty();
      assertThat(credentials.secret()).isEqualTo(utf8("0123456789 123456789 123456789 1"));
    }

    @Test
    void refusesBadBase64() {
      SaslExchange exchange = Sasl.start(Mechanism.CRAM_MD5, STRICT);
      exchange.start(Optional.empty());
      assertThat(invalid(exchange.next("*"))).isEqualTo("client sent invalid base64 encoding in AUTH CRAM-MD5 command");
    }
  }

  @Nested
  class External {

    @Test
    void promptsForTheUsernameWithoutAnInitialResponse() {
      SaslExchange exchange = Sasl.start(Mechanism.EXTERNAL, STRICT);

      assertThat(challenge(exchange.start(Optional.empty()))).isEqualTo("VXNlcm5hbWU6");
      assertCredentials(done(exchange.next(b64("tim"))), Mechanism.EXTERNAL, "tim", "");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "dGlt  | tim",
        "=     | \"\"",
        "\"\"  | \"\"",
    })
    void takesTheInitialResponseAsTheLoginEvenWhenEmpty(String initialResponse, String login) {
      assertCredentials(done(oneShot(Mechanism.EXTERNAL, STRICT, initialResponse)), Mechanism.EXTERNAL, login, "");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "*         | client sent invalid base64 encoding in AUTH EXTERNAL command",
        "dGltDQ==  | client sent invalid login in AUTH EXTERNAL command",
        "dGltCg==  | client sent invalid login in AUTH EXTERNAL command",
        "dGltAA==  | client sent invalid login in AUTH EXTERNAL command",
    })
    void refusesMalformedLogins(String initialResponse, String expected) {
      assertThat(invalid(oneShot(Mechanism.EXTERNAL, STRICT, initialResponse))).isEqualTo(expected);
    }
  }

  @Nested
  class XOAuth2 {

    @Test
    void parsesGooglesExample() {
      // developers.google.com/gmail/imap/xoauth2-protocol, "SASL XOAUTH2 initial client response" (base64 form).
      String example = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJo"
          + "ZG1semRHRXVZMjl0Q2cBAQ==";
      assertCredentials(done(afterEmptyChallenge(Mechanism.XOAUTH2, STRICT, example)), Mechanism.XOAUTH2,
          "someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "user=u@ex^Aauth=Bearer tok^A^A          | u@ex   | tok",
        "user=^Aauth=Bearer tok^A^A              | \"\"   | tok",
        "USER=u^AAUTH=bearer tok^A^A             | u      | tok",
        "user=u^Aauth=Bearer a^Ab^A^A            | u      | a^Ab",
        "user=u^Aauth=Bearer ^A^A                | u      | \"\"",
        "user=u,x=y^Aauth=Bearer t k^A^A         | u,x=y  | t k",
    })
    void parsesValidMessages(String message, String login, String token) {
      assertCredentials(done(oneShot(Mechanism.XOAUTH2, STRICT, b64(message))), Mechanism.XOAUTH2, login, token);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "user=u@ex                               | login",
        "\"\"                                    | login",
        "usr=u^Aauth=Bearer s3cr3t^A^A           | login",
        "use^Aauth=Bearer s3cr3t^A^A             | login",
        "user=u^Aauth=Basic s3cr3t^A^A           | token",
        "user=u^Aauth=Bearers3cr3t^A^A           | token",
        "user=u^Aauth=Bearer s3cr3t^A            | token",
        "user=u^Aauth=Bearer s3cr3t              | token",
        "user=u^Aauth=Bearer ^A                  | token",
        "user=u^A                                | token",
        "user=u^Mx^Aauth=Bearer s3cr3t^A^A       | login",
        "user=u^@x^Aauth=Bearer s3cr3t^A^A       | login",
        "user=u^Aauth=Bearer s3c^Jr3t^A^A        | token",
        "user=u^Aauth=Bearer s3c^@r3t^A^A        | token",
    })
    void refusesMalformedMessages(String message, String what) {
      assertThat(invalid(oneShot(Mechanism.XOAUTH2, STRICT, b64(message))))
          .isEqualTo("client sent invalid " + what + " in AUTH XOAUTH2 command")
          .doesNotContain("s3c");
    }

    @Test
    void refusesBadBase64() {
      assertThat(invalid(afterEmptyChallenge(Mechanism.XOAUTH2, STRICT, "*")))
          .isEqualTo("client sent invalid base64 encoding in AUTH XOAUTH2 command");
    }
  }

  @Nested
  class OAuthBearer {

    @Test
    void parsesTheRfc7628Example() {
      // RFC 7628 §4.1, the IMAP example's client response.
      String example = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9"
          + "QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
      assertThat(example).isEqualTo(
          b64("n,a=user@example.com,^Ahost=server.example.com^Aport=143^A"
              + "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==^A^A"));
      assertCredentials(done(afterEmptyChallenge(Mechanism.OAUTHBEARER, STRICT, example)), Mechanism.OAUTHBEARER,
          "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "n,a=u@ex,^Aauth=Bearer tok^A^A                       | u@ex        | tok",
        "n,a=u@ex,^Aauth=bearer tok^A^A                       | u@ex        | tok",
        "n,A=u@ex,^AAUTH=BEARER tok^A^A                       | u@ex        | tok",
        "y,a=u,^Aauth=Bearer tok^A                            | u           | tok",
        "p=tls-unique,a=u,^Ahost=h^Aport=1^Aauth=Bearer t^A^A | u           | t",
        "n,a=te=2Cst=3D@x,^Aauth=Bearer tok^A^A               | te,st=@x    | tok",
        "n,a=te=2cst=3d@x,^Aauth=Bearer tok^A^A               | te,st=@x    | tok",
        "n,a=,a=u,^Aauth=Bearer tok^A^A                       | u           | tok",
        "n,x=1,a=u,y=2^Aauth=Bearer tok^A^A                   | u           | tok",
        "n,a=u,^Aauth=Bearer ^Aauth=Bearer tok^A^A            | u           | tok",
        "n,a=u,^Aauth=Basic x^Aauth=Bearer tok^A              | u           | tok",
        "n,a=u,^Aauth=Bearer a b^A^A                          | u           | a b",
    })
    void parsesValidMessages(String message, String login, String token) {
      assertCredentials(done(oneShot(Mechanism.OAUTHBEARER, STRICT, b64(message))), Mechanism.OAUTHBEARER,
          login, token);
      assertCredentials(done(oneShot(Mechanism.OAUTHBEARER, FASTMAIL, b64(message))), Mechanism.OAUTHBEARER,
          login, token);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "n,,^Aauth=Bearer s3cr3t^A^A                 | login",
        "\"\"                                        | login",
        "n,user=test@example.com,^Aauth=Bearer s3cr3t^A^A | login",
        "n,a=x=y@ex,^Aauth=Bearer s3cr3t^A^A         | login",
        "n,a=x=2,^Aauth=Bearer s3cr3t^A^A            | login",
        "n,a=x=,^Aauth=Bearer s3cr3t^A^A             | login",
        "n,a=x=3C,^Aauth=Bearer s3cr3t^A^A           | login",
        "n,a=,^Aauth=Bearer s3cr3t^A^A               | login",
        "n,a=u^Aauth=Bearer s3cr3t^A^A               | login",
        "a=u,^Aauth=Bearer s3cr3t^A^A                | login",
        "n,^Aa=u,^Aauth=Bearer s3cr3t^A^A            | login",
        "n,a=u^M,^Aauth=Bearer s3cr3t^A^A            | login",
        "n,a=u^@,^Aauth=Bearer s3cr3t^A^A            | login",
        "n,a=u,^Aauth=Bearer s3cr3t                  | token",
        "n,a=u,^Ahost=h^Aport=1^A^A                  | token",
        "n,a=u,auth=Bearer s3cr3t^A^A                | token",
        "n,a=u,^Aauth=Bearer ^A^A                    | token",
        "n,a=u,^Aauth=Bearers3cr3t^A^A               | token",
        "n,a=u,                                      | token",
        "n,a=u,^Aauth=Bearer s3c^Jr3t^A^A            | token",
        "n,a=u,^Aauth=Bearer s3c^@r3t^A^A            | token",
        "n,a=x=y,^Aauth=Basic s3cr3t^A^A             | token",
    })
    void refusesMalformedMessages(String message, String what) {
      assertThat(invalid(oneShot(Mechanism.OAUTHBEARER, STRICT, b64(message))))
          .isEqualTo("client sent invalid " + what + " in AUTH OAUTHBEARER command")
          .doesNotContain("s3c");
    }

    @Test
    void acceptsFastmailsUserFieldOnlyInCompatMode() {
      String message = b64("n,user=test@example.com,^Aauth=Bearer tok^A^A");

      assertThat(invalid(oneShot(Mechanism.OAUTHBEARER, STRICT, message)))
          .isEqualTo("client sent invalid login in AUTH OAUTHBEARER command");
      assertCredentials(done(oneShot(Mechanism.OAUTHBEARER, FASTMAIL, message)), Mechanism.OAUTHBEARER,
          "test@example.com", "tok");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "*                              | base64 encoding",
        "bixhPXUsAWF1dGg9QmVhcmVyIHQBA  | base64 encoding",
        "AQ==                           | login",
        "\"\"                           | login",
    })
    void refusesBadBase64AndDummyResponsesAsTheFirstMessage(String text, String what) {
      assertThat(invalid(afterEmptyChallenge(Mechanism.OAUTHBEARER, FASTMAIL, text)))
          .isEqualTo("client sent invalid " + what + " in AUTH OAUTHBEARER command");
    }
  }

  @Nested
  class Lifecycle {

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = Mechanism.class, names = {"PLAIN", "LOGIN", "CRAM_MD5", "EXTERNAL", "XOAUTH2", "OAUTHBEARER"})
    void reportsItsMechanismAndRefusesAnswersBeforeStart(Mechanism mechanism) {
      SaslExchange exchange = Sasl.start(mechanism, STRICT);
      assertThat(exchange.mechanism()).isEqualTo(mechanism);
      assertThatThrownBy(() -> exchange.next("")).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = Mechanism.class, names = {"PLAIN", "LOGIN", "CRAM_MD5", "EXTERNAL", "XOAUTH2", "OAUTHBEARER"})
    void cannotBeStartedTwice(Mechanism mechanism) {
      SaslExchange exchange = Sasl.start(mechanism, STRICT);
      exchange.start(Optional.empty());
      assertThatThrownBy(() -> exchange.start(Optional.empty())).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = Mechanism.class, names = {"PLAIN", "EXTERNAL", "XOAUTH2", "OAUTHBEARER"})
    void refusesAnswersAfterInvalid(Mechanism mechanism) {
      SaslExchange exchange = Sasl.start(mechanism, STRICT);
      assertThat(exchange.start(Optional.of("*"))).isInstanceOf(SaslStep.Invalid.class);
      assertThatThrownBy(() -> exchange.next(b64("^@u^@p"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesAnswersAfterDone() {
      SaslExchange exchange = Sasl.start(Mechanism.PLAIN, STRICT);
      done(exchange.start(Optional.of(b64("^@tim^@pw"))));
      assertThatThrownBy(() -> exchange.next(b64("^@tim^@pw"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailedXoauth2AttemptAfterASuccessfulOneCarriesNoState() {
      // freenginx keeps s->login/s->passwd from the first attempt when the second has no ^A at all.
      done(oneShot(Mechanism.XOAUTH2, STRICT, b64("user=first^Aauth=Bearer tok^A^A")));

      SaslStep second = oneShot(Mechanism.XOAUTH2, STRICT, b64("user=second"));

      assertThat(invalid(second)).isEqualTo("client sent invalid login in AUTH XOAUTH2 command");
    }

    @Test
    void aFailedCramMd5AttemptAfterASuccessfulOneCarriesNoState() {
      // Before nginx 765642b86 a response without a space reused the previous attempt's password length.
      SaslExchange first = Sasl.start(Mechanism.CRAM_MD5, STRICT);
      first.start(Optional.empty());
      done(first.next("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"));

      SaslExchange second = Sasl.start(Mechanism.CRAM_MD5, STRICT);
      second.start(Optional.empty());
      assertThat(invalid(second.next(b64("timb913a602c7eda7a495b4e6e7334d3890"))))
          .isEqualTo("client sent invalid CRAM-MD5 hash in AUTH CRAM-MD5 command");
    }

    @Test
    void aLoginWhosePasswordStepFailsYieldsNothing() {
      SaslExchange exchange = Sasl.start(Mechanism.LOGIN, STRICT);
      exchange.start(Optional.of(b64("tim")));
      assertThat(exchange.next("*")).isInstanceOf(SaslStep.Invalid.class);
    }

    @Test
    void credentialsNeverPrintTheSecret() {
      Credentials credentials = done(oneShot(Mechanism.PLAIN, STRICT, b64("^@tim^@tanstaaftanstaaf")));
      assertThat(credentials.toString()).contains("tim").doesNotContain("tanstaaf");
      assertThat(new SaslStep.Done(credentials).toString()).doesNotContain("tanstaaf");
    }

    @Test
    void challengesAreAsciiBase64() {
      String payload = challenge(Sasl.start(Mechanism.CRAM_MD5, STRICT).start(Optional.empty()));
      assertThat(LenientBase64.decode(payload)).hasValue(RFC2195_SALT.getBytes(StandardCharsets.US_ASCII));
    }
  }
}
