package io.mailgate.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.AddressRange;
import io.mailgate.config.ThrottleConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Thresholds per address and per user, the delay, the reset on success, exemptions, and a failing store. */
class LoginThrottleTest {

  private static final InetSocketAddress ATTACKER = new InetSocketAddress("192.0.2.9", 4000);
  private static final InetSocketAddress OFFICE = new InetSocketAddress("10.1.2.3", 4000);
  private final long[] clock = {1_000_000};

  private static ThrottleConfig.Login config(int ip, int user, boolean failOpen) {
    return new ThrottleConfig.Login(true, ip, user, Duration.ofMinutes(5), Duration.ofSeconds(1),
        Duration.ofSeconds(8), List.of(new AddressRange(Optional.of(new InetSocketAddress("10.0.0.0", 0).getAddress()), 8, "10.0.0.0/8")),
        Optional.empty(), failOpen, Duration.ofMillis(500));
  }

  private LoginThrottle throttle(int ip, int user) {
    return new LoginThrottle(config(ip, user, true), new MemoryThrottleStore(100, () -> clock[0]), () -> clock[0]);
  }

  private static Verdict check(LoginThrottle t, InetSocketAddress client, String user) {
    return t.check(client, client.getAddress().getHostAddress(), user).toCompletableFuture().join();
  }

  private static void fail(LoginThrottle t, InetSocketAddress client, String user, int times) {
    for (int i = 0; i < times; i++) {
      t.failed(client, client.getAddress().getHostAddress(), user);
    }
  }

  @Test
  void anAddressPastItsThresholdIsDelayedLongerWithEachFailure() {
    LoginThrottle t = throttle(3, 0);
    fail(t, ATTACKER, "u1", 2);
    assertThat(check(t, ATTACKER, "u2")).isEqualTo(Verdict.ALLOW);
    fail(t, ATTACKER, "u3", 1);
    Verdict first = check(t, ATTACKER, "u4");
    assertThat(first.allow()).isFalse();
    assertThat(first.label()).isEqualTo(Verdict.DELAYED);
    assertThat(first.delay()).isEqualTo(Duration.ofSeconds(1));
    fail(t, ATTACKER, "u4", 1);
    assertThat(check(t, ATTACKER, "u5").delay()).isEqualTo(Duration.ofSeconds(2));
    fail(t, ATTACKER, "u5", 10);
    assertThat(check(t, ATTACKER, "u6").delay()).as("capped").isEqualTo(Duration.ofSeconds(8));
    assertThat(check(t, new InetSocketAddress("192.0.2.10", 1), "u7")).as("another address").isEqualTo(Verdict.ALLOW);
  }

  @Test
  void aUserPastItsThresholdIsThrottledFromEveryAddressAndASuccessResetsIt() {
    LoginThrottle t = throttle(0, 2);
    fail(t, ATTACKER, "Alice", 1);
    fail(t, new InetSocketAddress("192.0.2.50", 1), "alice", 1);
    assertThat(check(t, new InetSocketAddress("198.51.100.1", 1), "ALICE").allow())
        .as("user names are counted case-insensitively, whatever the address").isFalse();
    assertThat(check(t, ATTACKER, "bob")).isEqualTo(Verdict.ALLOW);
    t.succeeded("alice");
    assertThat(check(t, ATTACKER, "alice")).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void theWindowForgetsOldFailures() {
    LoginThrottle t = throttle(2, 0);
    fail(t, ATTACKER, "x", 2);
    assertThat(check(t, ATTACKER, "x").allow()).isFalse();
    clock[0] += Duration.ofMinutes(11).toMillis();
    assertThat(check(t, ATTACKER, "x")).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void anExemptAddressIsNeverCountedNorThrottled() {
    LoginThrottle t = throttle(1, 1);
    fail(t, OFFICE, "carol", 5);
    assertThat(check(t, OFFICE, "carol")).isEqualTo(Verdict.ALLOW_EXEMPT);
    assertThat(check(t, ATTACKER, "carol")).as("the exempt failures were not counted for the user")
        .isEqualTo(Verdict.ALLOW);
  }

  @Test
  void aFailingStoreAllowsOrRefusesAsConfigured() {
    ThrottleStore broken = new ThrottleStore() {
      @Override
      public CompletionStage<long[]> counts(List<String> keys, long windowMillis, long bucket) {
        return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
      }

      @Override
      public CompletionStage<Void> addFailure(List<String> keys, long windowMillis, long bucket) {
        return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
      }

      @Override
      public CompletionStage<Void> clear(String key, long windowMillis, long bucket) {
        return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
      }

      @Override
      public String describe() {
        return "broken";
      }
    };
    assertThat(check(new LoginThrottle(config(3, 3, true), broken), ATTACKER, "d"))
        .isEqualTo(Verdict.ALLOW_STORE_ERROR);
    Verdict closed = check(new LoginThrottle(config(3, 3, false), broken), ATTACKER, "d");
    assertThat(closed.allow()).isFalse();
    assertThat(closed.label()).isEqualTo(Verdict.STORE_ERROR_CLOSED);
  }

  @Test
  void userKeysAreHashedAndBounded() {
    String key = ThrottleKeys.user("a\r\nvery long name ".repeat(100));
    assertThat(key).matches("user:[0-9a-f]{32}");
    assertThat(ThrottleKeys.user("Alice")).isEqualTo(ThrottleKeys.user("alice"));
  }
}
