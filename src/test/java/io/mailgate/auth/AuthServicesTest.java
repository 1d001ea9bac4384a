package io.mailgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.AuthHttpConfig;
import io.mailgate.config.AuthHttpService;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The order a login tries the auth services in, and how down marks change it. */
class AuthServicesTest {

  private static final Duration DOWN = Duration.ofHours(1);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  // Probes are scheduled an hour out on this loop and never run during a test.
  private final EventLoop loop = new DefaultEventLoop();

  @AfterEach
  void stopLoop() {
    loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
  }

  private List<AuthService> services(int n) {
    List<AuthService> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      AuthHttpService config = AuthHttpService.plain("http://127.0.0.1:" + (9000 + i) + "/", new InetSocketAddress(
          "127.0.0.1", 9000 + i), "127.0.0.1", "/", Duration.ofSeconds(1));
      AuthConnectionPool pool = new AuthConnectionPool(0);
      AuthConnector connector = new AuthConnector(config, Transport.nio(Optional.empty()), ConnectionGate.UNLIMITED,
          pool, Optional.empty(), "127.0.0.1");
      out.add(new AuthService(connector, pool, n > 1, DOWN, clock::get, Optional.empty(), Duration.ofSeconds(30)));
    }
    return out;
  }

  @Test
  void firstTriesTheUpServicesInOrderAndAllWhenNoneIsUp() {
    List<AuthService> s = services(3);
    AuthServices group = new AuthServices(s, AuthHttpConfig.Balance.FIRST);

    assertThat(group.order()).containsExactly(s.get(0), s.get(1), s.get(2));
    s.get(1).failed(loop);
    assertThat(group.order()).containsExactly(s.get(0), s.get(2));
    s.get(0).failed(loop);
    assertThat(group.order()).containsExactly(s.get(2));
    s.get(2).failed(loop);
    assertThat(group.order()).as("every one down: all, in order").containsExactly(s.get(0), s.get(1), s.get(2));
  }

  @Test
  void aMarkEndsWhenTheServiceAnswersOrAfterTheDownTime() {
    List<AuthService> s = services(2);
    AuthServices group = new AuthServices(s, AuthHttpConfig.Balance.FIRST);

    s.get(0).failed(loop);
    assertThat(group.order()).containsExactly(s.get(1));
    s.get(0).succeeded();
    assertThat(group.order()).containsExactly(s.get(0), s.get(1));

    s.get(0).failed(loop);
    clock.addAndGet(DOWN.toNanos() - 1);
    assertThat(s.get(0).isDown()).isTrue();
    clock.addAndGet(1);
    assertThat(s.get(0).isDown()).isFalse();
    assertThat(group.order()).containsExactly(s.get(0), s.get(1));
  }

  @Test
  void roundRobinStartsEachLoginAtTheNextService() {
    List<AuthService> s = services(3);
    AuthServices group = new AuthServices(s, AuthHttpConfig.Balance.ROUND_ROBIN);

    assertThat(group.order()).containsExactly(s.get(0), s.get(1), s.get(2));
    assertThat(group.order()).containsExactly(s.get(1), s.get(2), s.get(0));
    assertThat(group.order()).containsExactly(s.get(2), s.get(0), s.get(1));
    s.get(0).failed(loop);
    // Turning among the two that are up: each gets half, not the successor of the one down all of its share.
    assertThat(group.order()).containsExactly(s.get(2), s.get(1));
    assertThat(group.order()).containsExactly(s.get(1), s.get(2));
    assertThat(group.order()).containsExactly(s.get(2), s.get(1));
  }

  @Test
  void aLoneServiceIsNeverMarkedDown() {
    List<AuthService> s = services(1);
    AuthServices group = new AuthServices(s, AuthHttpConfig.Balance.ROUND_ROBIN);

    s.get(0).failed(loop);

    assertThat(s.get(0).isDown()).isFalse();
    assertThat(group.order()).containsExactly(s.get(0));
  }
}
