package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.AccessLogLines;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code login_throttle} with the in-memory store on one mailgate: failures past a threshold are delayed and refused
 * without asking the auth service; a success resets the user's count; an exempt range is never throttled; a user is
 * counted across connections from different addresses. The auth service accepts the password "right" only.
 */
class LoginThrottleIT {

  private static final String REFUSAL = "a1 NO [UNAVAILABLE] Too many login failures, try again later";

  @TempDir Path dir;
  FakeImapBackend backend;
  FakeAuthServer auth;
  ProxyUnderTest proxy;

  @BeforeEach
  void services() throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(request -> "right".equals(request.header("Auth-Pass"))
        ? FakeAuthServer.ok(backend.port()) : FakeAuthServer.fail("Invalid login or password"));
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    auth.close();
    backend.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  private void start(String throttle) throws Exception {
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "login_throttle on; login_throttle_delay 400ms; login_throttle_max_delay 3s; login_throttle_window 1h;\n"
        + throttle + "\nserver { listen 127.0.0.1:%PORT%; protocol imap; }");
  }

  /** One login on a new connection from {@code source}; returns the reply and how long it took, in ms. */
  private Attempt login(String source, String user, String password) throws Exception {
    try (LineClient c = new LineClient(source, proxy.port())) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      long started = System.nanoTime();
      c.send("a1 LOGIN " + user + " " + password);
      String reply = c.readLine();
      long millis = (System.nanoTime() - started) / 1_000_000;
      boolean closed = !reply.startsWith("a1 OK") && c.closedWithin(2000);
      return new Attempt(reply, millis, closed);
    }
  }

  private record Attempt(String reply, long millis, boolean closed) {}

  @Test
  void anAddressPastItsThresholdIsDelayedThenRefusedWithoutAskingTheAuthService() throws Exception {
    Path accessLog = dir.resolve("access.log");
    start("login_throttle_ip 3; login_throttle_user 0; access_log " + accessLog + ";");
    for (int i = 1; i <= 3; i++) {
      Attempt failed = login("127.0.0.2", "user" + i, "guess");
      assertThat(failed.reply()).isEqualTo("a1 NO Invalid login or password");
      assertThat(failed.closed()).isTrue();
    }
    assertThat(auth.requests()).hasSize(3);

    Attempt fourth = login("127.0.0.2", "user4", "guess");
    assertThat(fourth.reply()).isEqualTo(REFUSAL);
    assertThat(fourth.millis()).as("the first throttled attempt waits the base delay").isGreaterThanOrEqualTo(400);
    assertThat(fourth.closed()).as("the session ends after the refusal").isTrue();
    Attempt fifth = login("127.0.0.2", "user5", "right");
    assertThat(fifth.reply()).as("even the right password is not tried").isEqualTo(REFUSAL);
    assertThat(fifth.millis()).as("the delay doubles").isGreaterThanOrEqualTo(800);
    assertThat(auth.requests()).as("no throttled attempt reached the auth service").hasSize(3);
    // The access log tells the throttled sessions apart from the failed ones, with the real reason they ended.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readAllLines(accessLog)).hasSize(5));
    List<Map<String, String>> lines = Files.readAllLines(accessLog).stream().map(AccessLogLines::text).toList();
    assertThat(lines).extracting(l -> l.get("result"))
        .containsExactly("bad_credentials", "bad_credentials", "bad_credentials", "throttled", "throttled");
    assertThat(lines.get(3)).containsEntry("user", "user4").containsEntry("close_reason", "login throttled");
    assertThat(lines.get(3).get("client")).startsWith("127.0.0.2:");
    assertThat(lines.get(0)).containsEntry("close_reason", "login failed");
    assertThat(String.join("\n", Files.readAllLines(accessLog))).doesNotContain("guess", "right");

    Attempt other = login("127.0.0.3", "user6", "right");
    assertThat(other.reply()).as("another address is not throttled").startsWith("a1 OK");
    assertThat(auth.requests()).hasSize(4);
  }

  @Test
  void pop3AndSmtpGetTheirOwnTemporaryFailure() throws Exception {
    int pop3 = ProxyUnderTest.freePort();
    int smtp = ProxyUnderTest.freePort();
    // login_throttle_delay 0 in a server: refused at once. The memory store is shared by the servers, so the
    // address's one failure on IMAP counts on POP3 and SMTP too.
    start("login_throttle_ip 1; login_throttle_user 0;\n"
        + "server { listen 127.0.0.1:" + pop3 + "; protocol pop3; login_throttle_delay 0; }\n"
        + "server { listen 127.0.0.1:" + smtp + "; protocol smtp; smtp_auth plain; login_throttle_delay 0; }");
    assertThat(login("127.0.0.2", "u", "guess").reply()).isEqualTo("a1 NO Invalid login or password");
    try (LineClient c = new LineClient("127.0.0.2", pop3)) {
      assertThat(c.readLine()).startsWith("+OK");
      c.send("USER u");
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS right");
      assertThat(c.readLine()).isEqualTo("-ERR [SYS/TEMP] Too many login failures, try again later");
      assertThat(c.closedWithin(2000)).isTrue();
    }
    try (LineClient c = new LineClient("127.0.0.2", smtp)) {
      assertThat(c.readLine()).startsWith("220 ");
      c.send("EHLO client.example");
      String line;
      do {
        line = c.readLine();
      } while (line.startsWith("250-"));
      c.send("AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString("\0u\0right".getBytes()));
      assertThat(c.readLine()).isEqualTo("454 4.7.0 Too many login failures, try again later");
      assertThat(c.closedWithin(2000)).isTrue();
    }
    assertThat(auth.requests()).hasSize(1);
  }

  @Test
  void aSuccessfulLoginResetsTheUsersCount() throws Exception {
    start("login_throttle_ip 0; login_throttle_user 2;");
    assertThat(login("127.0.0.2", "alice", "guess").reply()).isEqualTo("a1 NO Invalid login or password");
    assertThat(login("127.0.0.2", "alice", "right").reply()).startsWith("a1 OK");
    assertThat(login("127.0.0.2", "alice", "guess").reply()).isEqualTo("a1 NO Invalid login or password");
    // Without the reset this would be alice's second failure in the window, and the third attempt throttled.
    assertThat(login("127.0.0.2", "alice", "guess").reply()).isEqualTo("a1 NO Invalid login or password");
    Attempt throttled = login("127.0.0.2", "alice", "right");
    assertThat(throttled.reply()).isEqualTo(REFUSAL);
    assertThat(auth.requests()).hasSize(4);
  }

  @Test
  void anExemptRangeIsNeverThrottled() throws Exception {
    start("login_throttle_ip 2; login_throttle_user 2; login_throttle_exempt 127.0.0.2/32;");
    for (int i = 0; i < 5; i++) {
      Attempt a = login("127.0.0.2", "bob", "guess");
      assertThat(a.reply()).isEqualTo("a1 NO Invalid login or password");
      assertThat(a.millis()).as("no delay").isLessThan(400);
    }
    assertThat(auth.requests()).hasSize(5);
    assertThat(login("127.0.0.4", "bob", "right").reply())
        .as("the exempt client's failures were not counted for bob either").startsWith("a1 OK");
    login("127.0.0.4", "zed", "guess");
    login("127.0.0.4", "zed", "guess");
    assertThat(login("127.0.0.4", "zed", "guess").reply()).as("a client outside the range is").isEqualTo(REFUSAL);
  }

  @Test
  void aUserIsThrottledAcrossConnectionsFromDifferentAddresses() throws Exception {
    start("login_throttle_ip 100; login_throttle_user 2;");
    assertThat(login("127.0.0.2", "carol", "guess").reply()).isEqualTo("a1 NO Invalid login or password");
    assertThat(login("127.0.0.3", "Carol", "guess").reply()).isEqualTo("a1 NO Invalid login or password");
    Attempt third = login("127.0.0.5", "carol", "right");
    assertThat(third.reply()).isEqualTo(REFUSAL);
    assertThat(third.millis()).isGreaterThanOrEqualTo(400);
    assertThat(login("127.0.0.3", "dave", "right").reply()).as("other users are not").startsWith("a1 OK");
    assertThat(auth.requests()).hasSize(3);
  }
}
