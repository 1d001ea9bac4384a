package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.ImapProxyFixture;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every auth_http answer and every backend outcome of an IMAP login, as the client sees it. */
class AuthHttpOutcomesIT {

  private static final String INTERNAL_ERROR = "* BAD internal server error";

  @TempDir Path dir;
  ImapProxyFixture fx;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  private ImapProxyFixture fixture() throws Exception {
    fx = new ImapProxyFixture(dir);
    return fx;
  }

  @Test
  void okWithAuthUserAndAuthPassOverridesWhatTheBackendReceives() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-User: real-user", "Auth-Pass: real-pw"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN alias@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    assertThat(fx.backend.received()).containsExactly("a1 LOGIN {9}\r\nreal-user {7}\r\nreal-pw");
  }

  @Test
  void failureWithAuthWaitAnswersNoAfterTheWaitAndKeepsTheSessionWithTheTagCleared() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.fail("auth failed", "Auth-Wait: 1"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      long start = System.nanoTime();
      c.send("a1 LOGIN test@example.com bad");
      assertThat(c.readLine()).isEqualTo("a1 NO auth failed");
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(950);
      c.send("");
      assertThat(c.readLine()).isEqualTo("* BAD invalid command");
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
  }

  @Test
  void failureWithoutAuthWaitAnswersNoAndCloses() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.fail("auth failed"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com bad");
      assertThat(c.readLine()).isEqualTo("a1 NO auth failed");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void failureWithAuthWaitZeroClosesLikeNoAuthWait() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.fail("auth failed", "Auth-Wait: 0"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com bad");
      assertThat(c.readLine()).isEqualTo("a1 NO auth failed");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void authStatusTextIsRelayedInTheNo() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.fail("Account [locked] until 5pm, call 555"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("t7 AUTHENTICATE PLAIN " + ImapProxyFixture.b64("\0u\0p"));
      assertThat(c.readLine()).isEqualTo("t7 NO Account [locked] until 5pm, call 555");
    }
  }

  @Test
  void waitRepeatsTheSameRequestThenLogsIn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    fixture().auth.respondWith(r -> calls.incrementAndGet() < 3
        ? FakeAuthServer.waitAnswer()
        : FakeAuthServer.ok(fx.backend.port()));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    assertThat(fx.auth.requests()).hasSize(3);
    assertThat(fx.auth.requests()).allSatisfy(r -> {
      assertThat(r.header("Auth-Login-Attempt")).isEqualTo("1");
      assertThat(r.header("Auth-User")).isEqualTo("test@example.com");
      assertThat(r.header("Auth-Pass")).isEqualTo("secret");
    });
  }

  @Test
  void waitWithAuthWaitRetriesAfterTheWait() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    fixture().auth.respondWith(r -> calls.incrementAndGet() == 1
        ? FakeAuthServer.waitAnswer("Auth-Wait: 1")
        : FakeAuthServer.ok(fx.backend.port()));
    fx.start("");
    try (LineClient c = fx.connect()) {
      long start = System.nanoTime();
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(950);
    }
    assertThat(fx.auth.requests()).extracting(r -> r.header("Auth-Login-Attempt")).containsExactly("1", "1");
  }

  @Test
  void authServiceDownIsAnInternalErrorAndClose() throws Exception {
    fixture().startRaw("auth_http 127.0.0.1:" + ProxyUnderTest.freePort() + ";", "");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void authServiceTimeoutIsAnInternalError() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.HANG);
    fx.start("auth_http_timeout 500ms;", "");
    try (LineClient c = fx.connect()) {
      long start = System.nanoTime();
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(450L, 4000L);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "HTTP/1.0 200 OK\r\nAuth Status: OK\r\n",
      "HTTP/1.0 200 OK\r\n:Auth-Status OK\r\n",
      "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\n",
      "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: not-an-ip\r\nAuth-Port: 143\r\n",
      "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 70000\r\n"})
  void aGarbageAnswerIsAnInternalError(String answer) throws Exception {
    fixture().auth.respondWith(r -> answer);
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.backend.received()).isEmpty();
  }

  @Test
  void backendRejectionIsRelayedWithProxyPassErrorMessageOn() throws Exception {
    fixture().start("proxy_pass_error_message on;");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN reject@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 NO [AUTHENTICATIONFAILED] rejected");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void backendRejectionIsAnInternalErrorWithProxyPassErrorMessageOff() throws Exception {
    fixture().start("proxy_pass_error_message off;");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN reject@example.com secret");
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.backend.received()).hasSize(1);
  }

  @Test
  void backendDownIsAnInternalError() throws Exception {
    int nobody = ProxyUnderTest.freePort();
    fixture().auth.respondWith(r -> FakeAuthServer.ok(nobody));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "* BYE go away",
      "* PREAUTH [CAPABILITY IMAP4rev1] already in",
      "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready",
      "garbage"})
  void aBackendGreetingThatForbidsLoginIsAnInternalError(String greeting) throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend(greeting));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo(INTERNAL_ERROR);
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.backend.received()).isEmpty();
  }

  @Test
  void aLiteralPlusBackendGetsNonSynchronizingLiterals() throws Exception {
    fx = new ImapProxyFixture(dir, new FakeImapBackend("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
    }
    assertThat(fx.backend.received()).containsExactly("a1 LOGIN {16+}\r\ntest@example.com {6+}\r\nsecret", "a2 NOOP");
  }

  @Test
  void untaggedCapabilityFromTheBackendLoginReachesTheClient() throws Exception {
    fixture().start("");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN capability secret");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4rev1 FAKE");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
  }

  @Test
  void eachLoginCommandIsANewAttempt() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.fail("no", "Auth-Wait: 1"));
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 LOGIN u p1\r\n");
      assertThat(c.readLine()).isEqualTo("a1 NO no");
      fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port()));
      c.send("a2 LOGIN u p2");
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
    }
    assertThat(fx.auth.requests()).extracting(r -> r.header("Auth-Login-Attempt")).containsExactly("1", "2");
    assertThat(fx.auth.requests()).extracting(r -> r.header("Auth-Protocol")).containsOnly("imap");
  }

  @Test
  void keepAliveAnswersWithContentLengthServeSeveralLogins() throws Exception {
    fixture().auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Content-Length: 0"));
    fx.start("");
    for (int i = 1; i <= 3; i++) {
      try (LineClient c = fx.connect()) {
        c.send("k" + i + " LOGIN test@example.com secret");
        assertThat(c.readLine()).isEqualTo("k" + i + " OK LOGIN completed");
      }
    }
    assertThat(fx.auth.requests()).hasSize(3);
  }

  @Test
  void twentyConcurrentLoginsAllReachTheBackend() throws Exception {
    fixture().auth.respondWith(FakeAuthServer.delayed(50, r -> FakeAuthServer.ok(fx.backend.port(), "Content-Length: 0")));
    fx.start("");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
    try {
      java.util.List<java.util.concurrent.Future<String>> replies = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String tag = "c" + i;
        replies.add(pool.submit(() -> {
          try (LineClient c = fx.connect()) {
            c.send(tag + " LOGIN user" + tag + " secret");
            return c.readLine();
          }
        }));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(replies.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("c" + i + " OK LOGIN completed");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fx.auth.requests()).hasSize(20);
    assertThat(fx.backend.received()).hasSize(20);
  }
}
