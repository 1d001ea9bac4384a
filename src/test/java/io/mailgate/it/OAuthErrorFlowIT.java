package io.mailgate.it;

import static io.mailgate.testkit.ImapProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.ImapProxyTestBase;
import io.mailgate.testkit.LineClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RFC 7628 §3.2.2 error challenge relayed from {@code Auth-Error-SASL} (freenginx semantics, reference §1.6), and
 * Fastmail's original variant under {@code oauth_fastmail_compat on}.
 */
class OAuthErrorFlowIT extends ImapProxyTestBase {

  private static final String MECHANISMS = "imap_auth plain login xoauth2 oauthbearer;";
  private static final String COMPAT = "oauth_fastmail_compat on;";
  private static final String SASL_ERROR = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=";
  private static final String BEARER_IR = b64("n,a=test@example.com,\1auth=Bearer expired\1\1");
  private static final String XOAUTH2_IR = b64("user=test@example.com\1auth=Bearer expired\1\1");

  private void failWithSaslError(boolean authWait) {
    fx.auth.respondWith(r -> authWait
        ? FakeAuthServer.fail("auth failed here", "Auth-Wait: 1", "Auth-Error-SASL: " + SASL_ERROR)
        : FakeAuthServer.fail("auth failed here", "Auth-Error-SASL: " + SASL_ERROR));
  }

  @Test
  void oauthbearerGetsTheChallengeAfterAuthWaitThenNoForTheDummyAndTheSessionGoesOn() throws Exception {
    failWithSaslError(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      long start = System.nanoTime();
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(950);
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo("t1 NO auth failed here");
      c.send("");
      assertThat(c.readLine()).isEqualTo("* BAD invalid command");
      c.send("t2 NOOP");
      assertThat(c.readLine()).isEqualTo("t2 OK completed");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("expired");
  }

  @Test
  void oauthbearerAnsweredWithAnEmptyLineGetsBadAndTheSessionGoesOn() throws Exception {
    failWithSaslError(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo("t1 BAD invalid command");
      c.send("t2 NOOP");
      assertThat(c.readLine()).isEqualTo("t2 OK completed");
    }
  }

  @Test
  void xoauth2AnsweredWithAnEmptyLineGetsNo() throws Exception {
    failWithSaslError(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE XOAUTH2 " + XOAUTH2_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo("t1 NO auth failed here");
      c.send("t2 NOOP");
      assertThat(c.readLine()).isEqualTo("t2 OK completed");
    }
  }

  @Test
  void xoauth2AnsweredWithTheOauthbearerDummyGetsBad() throws Exception {
    failWithSaslError(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE XOAUTH2 " + XOAUTH2_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo("t1 BAD invalid command");
      c.send("t2 NOOP");
      assertThat(c.readLine()).isEqualTo("t2 OK completed");
    }
  }

  @Test
  void pipelinedDummyAndNextCommandAreAnsweredInOrder() throws Exception {
    failWithSaslError(true);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.sendRaw("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR + "\r\nAQ==\r\nt2 NOOP\r\n");
      assertThat(c.readLines(3)).containsExactly("+ " + SASL_ERROR, "t1 NO auth failed here", "t2 OK completed");
    }
  }

  @Test
  void withoutAuthWaitTheChallengeComesAtOnceAndTheSessionEndsAfterTheNo() throws Exception {
    failWithSaslError(false);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      long start = System.nanoTime();
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(900);
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo("t1 NO auth failed here");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void withoutAuthWaitAWrongDummyGetsBadAndTheSessionEnds() throws Exception {
    failWithSaslError(false);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo("t1 BAD invalid command");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void withoutAuthWaitXoauth2AnsweredWithAnEmptyLineGetsNoAndTheSessionEnds() throws Exception {
    failWithSaslError(false);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE XOAUTH2");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send(XOAUTH2_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo("t1 NO auth failed here");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void onlyTheFirstFourBytesOfTheOauthbearerDummyAreCompared() throws Exception {
    failWithSaslError(false);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("AQ==junk");
      assertThat(c.readLine()).isEqualTo("t1 NO auth failed here");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"LOGIN test@example.com expired", "AUTHENTICATE PLAIN AHRlc3RAZXhhbXBsZS5jb20AZXhwaXJlZA=="})
  void authErrorSaslIsIgnoredForNonOauthMechanisms(String command) throws Exception {
    failWithSaslError(false);
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 " + command);
      assertThat(c.readLine()).isEqualTo("t1 NO auth failed here");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void authErrorSaslWithAuthStatusOkIsIgnoredWithoutCompat() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-Error-SASL: " + SASL_ERROR));
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
    }
  }

  @Test
  void theFastmailGs2UserFormIsRefusedWithoutCompat() throws Exception {
    fx.start(MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + b64("n,user=test@example.com,\1auth=Bearer tok\1\1"));
      assertThat(c.readLine()).isEqualTo("t1 BAD invalid command");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void compatAcceptsTheFastmailGs2UserForm() throws Exception {
    fx.start(COMPAT, MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + b64("n,user=test@example.com,\1auth=Bearer tok\1\1"));
      assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo("test@example.com");
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("tok");
  }

  @Test
  void compatAcceptsAnEmptyLineAsTheOauthbearerDummy() throws Exception {
    failWithSaslError(false);
    fx.start(COMPAT, MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("");
      assertThat(c.readLine()).isEqualTo("t1 NO auth failed here");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void compatDropsAClientThatSendsAnInvalidDummy() throws Exception {
    failWithSaslError(false);
    fx.start(COMPAT, MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("+ " + SASL_ERROR);
      c.send("foo");
      // Nothing at all before the end of stream: no BAD, no NO.
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void compatTurnsAuthErrorSaslWithAuthStatusOkIntoAnInternalError() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-Error-SASL: " + SASL_ERROR));
    fx.start(COMPAT, MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + BEARER_IR);
      assertThat(c.readLine()).isEqualTo("* BAD internal server error");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.backend.received()).isEmpty();
  }
}
