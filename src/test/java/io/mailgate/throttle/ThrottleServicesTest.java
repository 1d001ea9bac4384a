package io.mailgate.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.ThrottleConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Redis clients shared by configurations: kept while one uses them, closed with the last; memory shared always. */
class ThrottleServicesTest {

  private static ThrottleConfig config(Optional<String> redisPort) {
    ThrottleConfig.Login off = ThrottleConfig.Login.OFF;
    return new ThrottleConfig(new ThrottleConfig.Login(true, 3, 3, off.window(), off.delay(), off.maxDelay(),
        List.of(), redisPort.map(p -> new ThrottleConfig.RedisTarget("redis://127.0.0.1:" + p, "127.0.0.1",
            Integer.parseInt(p))), true, Duration.ofMillis(200)), ThrottleConfig.Limits.UNLIMITED);
  }

  private static ThrottleStore store(Guards g) {
    return g.throttle().orElseThrow().store();
  }

  @Test
  void aReloadKeepingTheUrlKeepsTheClientAndTheLastUserClosesIt() {
    try (ThrottleServices services = new ThrottleServices()) {
      ThrottleServices.Lease first = services.lease();
      ThrottleStore before = store(first.guards(config(Optional.of("1"))));
      assertThat(store(first.guards(config(Optional.of("1"))))).as("two servers, one client").isSameAs(before);
      ThrottleServices.Lease second = services.lease();
      assertThat(store(second.guards(config(Optional.of("1"))))).isSameAs(before);
      store(second.guards(config(Optional.of("2"))));
      assertThat(services.redisClients()).isEqualTo(2);
      first.close();
      assertThat(services.redisClients()).as("the second configuration still uses both").isEqualTo(2);
      ThrottleServices.Lease third = services.lease();
      store(third.guards(config(Optional.of("2"))));
      second.close();
      assertThat(services.redisClients()).as("port 1 is used by no one now").isEqualTo(1);
      third.close();
      assertThat(services.redisClients()).isZero();
    }
  }

  @Test
  void theMemoryStoreAndTheConnectionCountsAreSharedAcrossConfigurations() {
    try (ThrottleServices services = new ThrottleServices()) {
      ThrottleStore a = store(services.lease().guards(config(Optional.empty())));
      ThrottleStore b = store(services.lease().guards(config(Optional.empty())));
      assertThat(a).isSameAs(b).isInstanceOf(MemoryThrottleStore.class);
      ThrottleConfig limited = new ThrottleConfig(ThrottleConfig.Login.OFF, new ThrottleConfig.Limits(1, 0, 0));
      ConnectionLimits l1 = services.lease().guards(limited).limits();
      ConnectionLimits l2 = services.lease().guards(limited).limits();
      assertThat(l1.admitPreauth(l1.newSlots(), "192.0.2.1", "l")).isNull();
      assertThat(l2.admitPreauth(l2.newSlots(), "192.0.2.1", "l")).as("counted across a reload")
          .isEqualTo(ConnectionLimits.PREAUTH_PER_CLIENT);
    }
  }
}
