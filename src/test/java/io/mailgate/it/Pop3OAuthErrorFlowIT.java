package io.mailgate.it;

import static io.mailgate.testkit.Pop3ProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.Pop3ProxyTestBase;
import org.junit.jupiter.api.Test;

/**
 * POP3 with the RFC 7628 §3.2.2 error challenge relayed from {@code Auth-Error-SASL} (reference §1.6: {@code + <value>},
 * then {@code -ERR <text>} after the client's dummy response), and Fastmail's variant under
 * {@code oauth_fastmail_compat on}.
 */
class Pop3OAuthErrorFlowIT extends Pop3ProxyTestBase {

  private static final String MECHANISMS = "pop3_auth plain xoauth2 oauthbearer;";
  private static final String SASL_ERROR = "eyJzY2hlbWVzIjoiQmVhcmVyIiwic3RhdHVzIjoiNDAwIn0=";
  private static final String BEARER_FAIL = b64("n,a=test@example.com,\1auth=Bearer saslfail\1\1");
  private static final String BEARER_OK = b64("n,a=test@example.com,\1auth=Bearer secretok\1\1");
  private static final String XOAUTH2_FAIL = b64("user=test@example.com\1auth=Bearer saslfail\1\1");
  private static final String INVALID = "-ERR invalid command";

  /** mail_oauth.t's auth location: token secretok is OK (Auth-Pass secret), saslfail fails with the SASL error. */
  private void script(boolean authWait) {
    fx.auth.respondWith(r -> {
      String pass = r.header("Auth-Pass");
      if ("secretok".equals(pass)) {
        return FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: secret");
      }
      String sasl = "saslfail".equals(pass) ? "Auth-Error-SASL: " + SASL_ERROR : "X-Nothing: 1";
      return authWait ? FakeAuthServer.fail("auth failed here", "Auth-Wait: 1", sasl)
          : FakeAuthServer.fail("auth failed here", sasl);
    });
  }

  @Test
  void theMailOauthSequenceChallengeDummyErrThenInvalidThenSuccess() throws Exception {
    script(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      long start = System.nanoTime();
      c.send("AUTH OAUTHBEARER " + BEARER_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(900);
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo("-ERR auth failed here");
      c.send("AUTH OAUTHBEARER " + BEARER_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo(INVALID);
      c.send("AUTH OAUTHBEARER " + BEARER_OK);
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
  }

  @Test
  void withoutAuthWaitTheChallengeComesAtOnceAndTheSessionClosesAfterTheErr() throws Exception {
    script(false);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send(BEARER_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo("-ERR auth failed here");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void withoutAuthWaitAnInvalidDummyIsAnInvalidCommandAndCloses() throws Exception {
    script(false);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER " + BEARER_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("*");
      assertThat(c.readLine()).isEqualTo(INVALID);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void xoauth2IsAcknowledgedWithAnEmptyLineAndRefusesTheOauthbearerDummy() throws Exception {
    script(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH XOAUTH2 " + XOAUTH2_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo("-ERR auth failed here");
      c.send("AUTH XOAUTH2 " + XOAUTH2_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo(INVALID);
      c.send("NOOP");
      assertThat(c.readLine()).isEqualTo("+OK");
    }
  }

  @Test
  void aPipelinedDummyAndCommandAreAnsweredInOrder() throws Exception {
    script(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.sendRaw("AUTH OAUTHBEARER " + BEARER_FAIL + "\r\nAQ==\r\nNOOP\r\n");
      assertThat(c.readLines(3)).containsExactly("+ " + SASL_ERROR, "-ERR auth failed here", "+OK");
    }
  }

  @Test
  void theSaslErrorIsIgnoredForOtherMechanisms() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.fail("auth failed here", "Auth-Wait: 1", "Auth-Error-SASL: " + SASL_ERROR));
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH PLAIN " + b64("\0test@example.com\0bad"));
      assertThat(c.readLine()).isEqualTo("-ERR auth failed here");
      c.send("NOOP");
      assertThat(c.readLine()).isEqualTo("+OK");
    }
  }

  @Test
  void fastmailCompatAcceptsAnEmptyLineForOauthbearer() throws Exception {
    script(true);
    fx.start("oauth_fastmail_compat on;", MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER " + BEARER_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo("-ERR auth failed here");
      c.send("NOOP");
      assertThat(c.readLine()).isEqualTo("+OK");
    }
  }

  @Test
  void fastmailCompatDropsAClientThatAnswersTheChallengeWithAnythingElse() throws Exception {
    script(true);
    fx.start("oauth_fastmail_compat on;", MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER " + BEARER_FAIL);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("foo");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void fastmailCompatTreatsASaslErrorOnSuccessAsAnInternalError() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: secret",
        "Auth-Error-SASL: " + SASL_ERROR));
    fx.start("oauth_fastmail_compat on;", MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER " + BEARER_OK);
      assertThat(c.readLine()).isEqualTo("-ERR internal server error");
    }
    assertThat(fx.backend.received()).isEmpty();
  }
}
