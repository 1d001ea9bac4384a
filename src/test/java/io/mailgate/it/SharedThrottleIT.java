package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.HaproxyServer;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared login throttle as deployed: a private redis-server, two {@code bin/mailgate} processes on the example
 * configurations of conf/examples/shared-throttle, and a private HAProxy balancing connections over both with
 * {@code send-proxy}. The attacker connects from 127.0.0.2, which only the PROXY header tells mailgate. Redis, HAProxy
 * and mailgate are real processes on free loopback ports; nothing is skipped when a binary is missing.
 */
class SharedThrottleIT {

  private static final Path EXAMPLES = Path.of("conf/examples/shared-throttle");
  private static final String THROTTLED = "a1 NO [UNAVAILABLE] Too many login failures, try again later";
  private static final String STORE_DOWN = "a1 NO [UNAVAILABLE] Login temporarily unavailable, try again later";

  @TempDir Path dir;
  FakeImapBackend backend;
  FakeAuthServer auth;
  RedisServer redis;
  MailgateProcess a;
  MailgateProcess b;
  HaproxyServer haproxy;
  int haproxyPort;
  Map<String, String> ports;

  @AfterEach
  void stopAll() throws Exception {
    if (haproxy != null) {
      haproxy.close();
    }
    for (MailgateProcess m : new MailgateProcess[] {a, b}) {
      if (m != null) {
        m.close();
      }
    }
    if (redis != null) {
      redis.close();
    }
    if (auth != null) {
      auth.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private String example(String name, Path errorLog) throws IOException {
    String text = Files.readString(EXAMPLES.resolve(name));
    for (Map.Entry<String, String> e : ports.entrySet()) {
      text = text.replace("%" + e.getKey() + "%", e.getValue());
    }
    if (errorLog != null) {
      text = text.replace("%ERROR_LOG%", errorLog.toString());
    }
    assertThat(text).as(name + " has no placeholder left").doesNotContain("%");
    return text;
  }

  private Path instanceDir(String name) throws IOException {
    return Files.createDirectories(dir.resolve(name));
  }

  /** One login through HAProxy from {@code source}; returns the reply and its time in ms. */
  private Attempt login(String source, String user, String password) throws IOException {
    try (LineClient c = new LineClient(source, haproxyPort)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      long started = System.nanoTime();
      c.send("a1 LOGIN " + user + " " + password);
      String reply = c.readLine();
      return new Attempt(reply, (System.nanoTime() - started) / 1_000_000);
    }
  }

  private record Attempt(String reply, long millis) {}

  private static long count(MailgateProcess m, String... parts) throws IOException {
    return m.logLines("error.log").stream().filter(l -> List.of(parts).stream().allMatch(l::contains)).count();
  }

  @Test
  void failuresSpreadOverTwoInstancesAreThrottledOnBothAndRedisFailureIsOpenOrClosedAsConfigured()
      throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(request -> "right".equals(request.header("Auth-Pass"))
        ? FakeAuthServer.ok(backend.port()) : FakeAuthServer.fail("Invalid login or password"));
    redis = RedisServer.start(dir.resolve("redis"));
    haproxyPort = ProxyUnderTest.freePort();
    ports = Map.of("HAPROXY_PORT", Integer.toString(haproxyPort),
        "MAILGATE_A_PORT", Integer.toString(ProxyUnderTest.freePort()),
        "MAILGATE_B_PORT", Integer.toString(ProxyUnderTest.freePort()),
        "REDIS_PORT", Integer.toString(redis.port()),
        "AUTH_PORT", Integer.toString(auth.port()));
    Path dirA = instanceDir("a");
    Path dirB = instanceDir("b");
    a = MailgateProcess.start(dirA, example("mailgate-a.conf", dirA.resolve("error.log")));
    b = MailgateProcess.start(dirB, example("mailgate-b.conf", dirB.resolve("error.log")));
    Path haproxyConfig = dir.resolve("haproxy.cfg");
    Files.writeString(haproxyConfig, example("haproxy.cfg", null));
    haproxy = HaproxyServer.start(haproxyConfig, haproxyPort);

    // Nine failures (login_throttle_ip 9), alternating over both instances: each is asked and refused as usual.
    for (int i = 1; i <= 9; i++) {
      assertThat(login("127.0.0.2", "victim" + i, "guess").reply()).isEqualTo("a1 NO Invalid login or password");
    }
    assertThat(auth.requests()).hasSize(9)
        .allSatisfy(r -> assertThat(r.header("Client-IP")).as("the real client, from the PROXY header")
            .isEqualTo("127.0.0.2"));
    assertThat(count(a, "client login failed", "client: 127.0.0.2")).as("round robin: A had some").isGreaterThan(3);
    assertThat(count(b, "client login failed", "client: 127.0.0.2")).as("round robin: B had some").isGreaterThan(3);
    long bucket = Math.floorDiv(System.currentTimeMillis(), 600_000);
    String key = "mailgate:throttle:600000:ip:127.0.0.2:";
    assertThat(redis.command("EXISTS " + key + bucket + " " + key + (bucket - 1)))
        .as("the address's counter is in Redis (this window's bucket, or the last one's at an edge)").matches(":[12]");
    String existing = redis.command("EXISTS " + key + bucket).equals(":1") ? key + bucket : key + (bucket - 1);
    assertThat(redis.command("GET " + existing)).as("a bulk string reply").startsWith("$");
    assertThat(redis.command("PTTL " + existing)).as("it expires (two windows at most)").matches(":[1-9]\\d*");

    // The tenth and eleventh land on different instances: each knows the failures the other one counted.
    Attempt tenth = login("127.0.0.2", "victim10", "right");
    Attempt eleventh = login("127.0.0.2", "victim11", "right");
    assertThat(tenth.reply()).isEqualTo(THROTTLED);
    assertThat(eleventh.reply()).isEqualTo(THROTTLED);
    assertThat(tenth.millis()).as("delayed by login_throttle_delay").isGreaterThanOrEqualTo(200);
    assertThat(eleventh.millis()).as("then twice that").isGreaterThanOrEqualTo(400);
    assertThat(auth.requests()).as("throttled attempts never reach the auth service").hasSize(9);
    assertThat(count(a, "client login refused: too many login failures", "client: 127.0.0.2")).isEqualTo(1);
    assertThat(count(b, "client login refused: too many login failures", "client: 127.0.0.2")).isEqualTo(1);
    assertThat(login("127.0.0.3", "frank", "right").reply()).as("another client logs in").startsWith("a1 OK");

    // Redis goes away. throttle_redis_failure open: logins go on, and each instance logs the outage once.
    redis.stop();
    for (int i = 0; i < 4; i++) {
      assertThat(login("127.0.0.3", "erin", "right").reply()).startsWith("a1 OK");
    }
    for (MailgateProcess m : new MailgateProcess[] {a, b}) {
      assertThat(count(m, "[error]", "login throttle store redis 127.0.0.1:" + redis.port() + " failed",
          "logins are allowed (throttle_redis_failure open)"))
          .as("one line for several failed lookups (rate-limited)").isEqualTo(1);
    }

    // throttle_redis_failure closed, by a reload: logins get the temporary failure without the auth service.
    int asked = auth.requests().size();
    a.rewriteConfig(example("mailgate-a.conf", dirA.resolve("error.log")).replace(
        "throttle_redis_failure open;", "throttle_redis_failure closed;"));
    b.rewriteConfig(example("mailgate-b.conf", dirB.resolve("error.log")).replace(
        "throttle_redis_failure open;", "throttle_redis_failure closed;"));
    for (MailgateProcess m : new MailgateProcess[] {a, b}) {
      MailgateProcess.Result reload = m.control("reload");
      assertThat(reload.exit()).as(reload.output()).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(m, "configuration reloaded (generation 2)") == 1);
    }
    assertThat(login("127.0.0.3", "erin", "right").reply()).isEqualTo(STORE_DOWN);
    assertThat(login("127.0.0.3", "erin", "right").reply()).isEqualTo(STORE_DOWN);
    assertThat(auth.requests()).hasSize(asked);

    // Redis comes back on its port: both instances reconnect and logins go on.
    int port = redis.port();
    redis = RedisServer.start(dir.resolve("redis-again"), port);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
      assertThat(login("127.0.0.3", "erin", "right").reply()).startsWith("a1 OK");
      assertThat(login("127.0.0.3", "erin", "right").reply()).startsWith("a1 OK");
    });
  }
}
