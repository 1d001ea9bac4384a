package io.mailgate.it;

import static io.mailgate.testkit.Pop3ProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.Pop3ProxyFixture;
import io.mailgate.testkit.Pop3ProxyTestBase;
import io.mailgate.testkit.ProxyUnderTest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** POP3 logins end to end over loopback: client -> mailgate -> auth service -> FakePop3Backend -> relay. */
class Pop3LoginIT extends Pop3ProxyTestBase {

  private static final String ALL_MECHANISMS = "pop3_auth plain apop cram-md5 external xoauth2 oauthbearer;";
  private static final String LOGGED_IN = "+OK pass ok";
  private static final String INTERNAL_ERROR = "-ERR internal server error";
  private static final Pattern SALT = Pattern.compile("^\\+OK POP3 ready (<\\d+\\.\\d+@[^>]+>)$");
  private static final String USER = "test@example.com";
  private static final String BEARER = b64("n,a=test@example.com,\1auth=Bearer secretok\1\1");
  private static final String XOAUTH2 = b64("user=test@example.com\1auth=Bearer secretok\1\1");

  @Test
  void userAndPassLogInAndTheBackendsOkIsRelayed() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      assertThat(fx.lastGreeting()).isEqualTo("+OK POP3 ready");
      c.send("USER " + USER);
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo(LOGGED_IN);
      c.send("STAT");
      assertThat(c.readLine()).startsWith("+OK 1 ");
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("plain");
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-Pass")).isEqualTo("secret");
    assertThat(request.header("Auth-Protocol")).isEqualTo("pop3");
    assertThat(request.header("Auth-Login-Attempt")).isEqualTo("1");
    assertThat(request.header("Auth-Salt")).isNull();
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret", "STAT");
  }

  @Test
  void aPasswordWithSpacesReachesTheAuthServiceWhole() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("USER " + USER);
      c.readLine();
      c.send("PASS se cret ");
      assertThat(c.readLine()).isEqualTo("-ERR auth failed");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("se%20cret%20");
  }

  @Test
  void apopSendsTheGreetingTimestampAsAuthSaltAndFailsThenSucceeds() throws Exception {
    fx.start("pop3_auth plain apop;");
    try (LineClient c = fx.connect()) {
      Matcher salt = SALT.matcher(fx.lastGreeting());
      assertThat(salt.matches()).as(fx.lastGreeting()).isTrue();
      c.send("APOP " + USER + " " + "1".repeat(32));
      assertThat(c.readLine()).isEqualTo("-ERR auth failed");
      c.send("APOP " + USER + " " + "0".repeat(32));
      assertThat(c.readLine()).isEqualTo(LOGGED_IN);
      assertThat(fx.auth.requests()).extracting(r -> r.header("Auth-Method")).containsExactly("apop", "apop");
      assertThat(fx.auth.requests()).extracting(r -> r.header("Auth-Salt")).containsOnly(salt.group(1));
      assertThat(fx.auth.requests().get(1).header("Auth-Login-Attempt")).isEqualTo("2");
    }
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret");
  }

  @Test
  void everyConnectionGetsItsOwnTimestamp() throws Exception {
    fx.start("pop3_auth apop;");
    String first;
    try (LineClient c = fx.connect()) {
      first = fx.lastGreeting();
      c.send("QUIT");
      assertThat(c.readLine()).isEqualTo("+OK");
    }
    try (LineClient c = fx.connect()) {
      assertThat(fx.lastGreeting()).matches(SALT).isNotEqualTo(first);
      c.send("QUIT");
      assertThat(c.readLine()).isEqualTo("+OK");
    }
  }

  @Test
  void apopIsRefusedWhenNotEnabledOrWithABadDigest() throws Exception {
    fx.start("pop3_auth plain cram-md5;");
    try (LineClient c = fx.connect()) {
      c.send("APOP " + USER + " " + "0".repeat(32));
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
    }
    fx.close();
    fx = new Pop3ProxyFixture(dir);
    fx.start("pop3_auth apop;");
    try (LineClient c = fx.connect()) {
      c.send("APOP " + USER + " " + "0".repeat(31));
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("APOP " + USER);
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  static Stream<Arguments> saslExchanges() {
    return Stream.of(
        Arguments.of("PLAIN with initial response", "plain",
            List.of("C:AUTH PLAIN " + b64("\0" + USER + "\0secret"))),
        Arguments.of("PLAIN after an empty challenge", "plain",
            List.of("C:AUTH PLAIN", "S:+ ", "C:" + b64("\0" + USER + "\0secret"))),
        Arguments.of("LOGIN with prompts", "plain",
            List.of("C:AUTH LOGIN", "S:+ VXNlcm5hbWU6", "C:" + b64(USER), "S:+ UGFzc3dvcmQ6", "C:" + b64("secret"))),
        Arguments.of("LOGIN with the user name as initial response", "plain",
            List.of("C:auth login " + b64(USER), "S:+ UGFzc3dvcmQ6", "C:" + b64("secret"))),
        Arguments.of("EXTERNAL with prompt", "external",
            List.of("C:AUTH EXTERNAL", "S:+ VXNlcm5hbWU6", "C:" + b64(USER))),
        Arguments.of("EXTERNAL with initial response", "external", List.of("C:AUTH EXTERNAL " + b64(USER))),
        Arguments.of("XOAUTH2 with initial response", "xoauth2", List.of("C:AUTH XOAUTH2 " + XOAUTH2)),
        Arguments.of("XOAUTH2 after an empty challenge", "xoauth2", List.of("C:AUTH XOAUTH2", "S:+ ", "C:" + XOAUTH2)),
        Arguments.of("OAUTHBEARER with initial response", "oauthbearer", List.of("C:AUTH OAUTHBEARER " + BEARER)),
        Arguments.of("OAUTHBEARER after an empty challenge", "oauthbearer",
            List.of("C:AUTH OAUTHBEARER", "S:+ ", "C:" + BEARER)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("saslExchanges")
  void everySaslMechanismLogsIn(String name, String authMethod, List<String> exchange) throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      for (String step : exchange) {
        if (step.startsWith("C:")) {
          c.send(step.substring(2));
        } else {
          assertThat(c.readLine()).isEqualTo(step.substring(2));
        }
      }
      assertThat(c.readLine()).isEqualTo(LOGGED_IN);
    }
    FakeAuthServer.Request request = fx.auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo(authMethod);
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    // Current nginx: Auth-Salt only for APOP and CRAM-MD5, even though this server has a salt (reference §1.5).
    assertThat(request.header("Auth-Salt")).isNull();
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret");
  }

  @Test
  void cramMd5ChallengesWithTheGreetingTimestamp() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      Matcher salt = SALT.matcher(fx.lastGreeting());
      assertThat(salt.matches()).isTrue();
      c.send("AUTH CRAM-MD5");
      String challenge = c.readLine();
      assertThat(challenge).isEqualTo("+ " + b64(salt.group(1)));
      c.send(b64(USER + " " + "0".repeat(32)));
      assertThat(c.readLine()).isEqualTo(LOGGED_IN);
      FakeAuthServer.Request request = fx.auth.requests().get(0);
      assertThat(request.header("Auth-Method")).isEqualTo("cram-md5");
      assertThat(request.header("Auth-Salt")).isEqualTo(salt.group(1));
      assertThat(request.header("Auth-Pass")).isEqualTo("0".repeat(32));
    }
  }

  @Test
  void cramMd5WithAnInitialResponseOrDisabledMechanismsAreInvalid() throws Exception {
    fx.start("pop3_auth plain cram-md5;");
    try (LineClient c = fx.connect()) {
      c.send("AUTH CRAM-MD5 " + b64(USER));
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("AUTH XOAUTH2 " + XOAUTH2);
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("AUTH EXTERNAL");
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("AUTH FOO");
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      // LOGIN is always accepted, as in nginx.
      c.send("AUTH LOGIN");
      assertThat(c.readLine()).isEqualTo("+ VXNlcm5hbWU6");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void oauthWithoutAuthPassLogsInWithTheTokenEvenWhenTheServerHasASalt() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port()));
    fx.start("pop3_auth plain apop oauthbearer;");
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER " + b64("n,a=test@example.com,\1auth=Bearer secret\1\1"));
      assertThat(c.readLine()).isEqualTo(LOGGED_IN);
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Salt")).isNull();
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret");
  }

  @Test
  void invalidSaslInputIsAnInvalidCommandAndTheSessionGoesOn() throws Exception {
    fx.start(ALL_MECHANISMS);
    try (LineClient c = fx.connect()) {
      c.send("AUTH PLAIN");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send("*");
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("AUTH PLAIN " + b64("\0" + USER + "\0se\ncret"));
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("NOOP");
      assertThat(c.readLine()).isEqualTo("+OK");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void failureWithAuthWaitAnswersAfterTheWaitAndForgetsTheUser() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("USER " + USER);
      c.readLine();
      long start = System.nanoTime();
      c.send("PASS bad");
      assertThat(c.readLine()).isEqualTo("-ERR auth failed");
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(900);
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("AUTH PLAIN " + b64("\0" + USER + "\0secret"));
      assertThat(c.readLine()).isEqualTo(LOGGED_IN);
    }
    assertThat(fx.auth.requests()).extracting(r -> r.header("Auth-Login-Attempt")).containsExactly("1", "2");
  }

  @Test
  void failureWithoutAuthWaitAnswersAndCloses() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.fail("Account [locked] until 5pm"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("USER " + USER);
      c.readLine();
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("-ERR Account [locked] until 5pm");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void waitRepeatsTheSameRequestThenLogsIn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    fx.auth.respondWith(r -> calls.incrementAndGet() < 3
        ? FakeAuthServer.waitAnswer()
        : FakeAuthServer.ok(fx.backend.port()));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("USER " + USER);
      c.readLine();
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo(LOGGED_IN);
    }
    assertThat(fx.auth.requests()).hasSize(3)
        .extracting(r -> r.header("Auth-Login-Attempt")).containsOnly("1");
  }

  @Test
  void authServiceDownIsAnInternalErrorAndClose() throws Exception {
    fx.startRaw("auth_http 127.0.0.1:" + ProxyUnderTest.freePort() + ";", "");
    try (LineClient c = fx.connect()) {
      c.send("USER " + USER);
      c.readLine();
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void backendDownIsAnInternalError() throws Exception {
    int nobody = ProxyUnderTest.freePort();
    fx.auth.respondWith(r -> FakeAuthServer.ok(nobody));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("AUTH PLAIN " + b64("\0" + USER + "\0secret"));
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void apopWithoutAuthPassFromTheAuthServiceIsAnInternalError() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port()));
    fx.start("pop3_auth apop;");
    try (LineClient c = fx.connect()) {
      c.send("APOP " + USER + " " + "0".repeat(32));
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
    }
    assertThat(fx.backend.received()).isEmpty();
  }

  @Test
  void commandsPipelinedAfterTheLoginReachTheBackendInOrder() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("USER " + USER + "\r\nPASS secret\r\nSTAT\r\nUIDL 1\r\nQUIT\r\n");
      assertThat(c.readLines(5)).containsExactly("+OK", LOGGED_IN, "+OK 1 " + messageSize(), "+OK 1 uid-1",
          "+OK quit ok");
    }
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret", "STAT", "UIDL 1", "QUIT");
  }

  @Test
  void aPipelinedAuthLoginGetsBothChallengesThenLogsIn() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("AUTH LOGIN\r\n" + b64(USER) + "\r\n" + b64("secret") + "\r\nNOOP\r\n");
      assertThat(c.readLines(4)).containsExactly("+ VXNlcm5hbWU6", "+ UGFzc3dvcmQ6", LOGGED_IN, "+OK");
    }
  }

  @Test
  void userNamesWithUtf8BytesReachTheAuthServiceAndBackendUnchanged() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-User: test@example.com"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("USER j\u00c3\u00a9r\u00c3\u00b4me\r\nPASS secret\r\n");
      assertThat(c.readLines(2)).containsExactly("+OK", LOGGED_IN);
    }
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo("j\u00c3\u00a9r\u00c3\u00b4me");
  }

  @Test
  void passwordsTokensAndDigestsNeverReachTheLog() throws Exception {
    fx.start(ALL_MECHANISMS);
    String plainIr = b64("\0" + USER + "\0hunter2pw");
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      try (LineClient c = fx.connect()) {
        c.sendRaw("USER " + USER + "\r\nPASS hunter2pw\r\n");
        assertThat(c.readLines(2)).containsExactly("+OK", "-ERR auth failed");
        c.send("AUTH PLAIN " + plainIr);
        assertThat(c.readLine()).isEqualTo("-ERR auth failed");
        c.send("AUTH XOAUTH2 " + XOAUTH2);
        assertThat(c.readLine()).isEqualTo(LOGGED_IN);
      }
      assertThat(log.text()).contains("client login failed", "client logged in");
      for (String secret : List.of("hunter2pw", plainIr, "secretok", XOAUTH2)) {
        assertThat(log.text()).doesNotContain(secret);
      }
    }
  }

  private static int messageSize() {
    return io.mailgate.testkit.FakePop3Backend.MESSAGE.length();
  }
}
