package io.mailgate.auth;

import io.mailgate.backend.BackendNameResolver;
import io.mailgate.backend.BackendTarget;
import io.mailgate.config.AuthHttpService;
import io.mailgate.transport.Errno;
import io.mailgate.transport.OutboundSockets;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One auth service at run time: its connector and keep-alive pool, whether it is up, and the background work that
 * brings it back. A failure (connect refused, timeout, TLS handshake, 5xx) marks it down for {@code downTime}:
 * logins skip it while another service is up, and a probe connects to it again every {@code downTime} on the loop
 * that saw it fail, marking it up (and pooling the connection) once one succeeds. A mark also ends by itself after
 * {@code downTime} without a probe result, so a probe that could not run never keeps a service out for good. With a
 * host name in its URL, the name is looked up again in the background, without blocking, every {@code refresh}:
 * the resolver's cache answers until the record's TTL ends, then asks again, so a new address is used within about
 * TTL + {@code refresh}.
 *
 * <p>The state is read and written by every event loop: volatile fields and an atomic flag, no lock; a lost race only
 * shifts when a mark ends by a moment.
 */
final class AuthService {

  private static final Logger log = LoggerFactory.getLogger(HttpAuthClient.class);

  private final AuthConnector connector;
  private final AuthConnectionPool pool;
  private final boolean canBeMarked;
  private final long downNanos;
  private final LongSupplier nanoClock;
  private final Optional<BackendNameResolver> names;
  private final Duration refresh;
  private final AtomicBoolean probing = new AtomicBoolean();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile boolean down;
  private volatile long downUntil;
  private volatile boolean closed;

  /**
   * @param canBeMarked false when this is the only service: with nothing to skip to, every login tries it, as nginx
   * @param names the resolver to look the service's name up again with; empty for none
   */
  AuthService(AuthConnector connector, AuthConnectionPool pool, boolean canBeMarked, Duration downTime,
      LongSupplier nanoClock, Optional<BackendNameResolver> names, Duration refresh) {
    this.connector = connector;
    this.pool = pool;
    this.canBeMarked = canBeMarked && !downTime.isZero();
    this.downNanos = downTime.toNanos();
    this.nanoClock = nanoClock;
    this.names = names.filter(n -> connector.service().lookupName().isPresent());
    this.refresh = refresh;
  }

  AuthConnector connector() {
    return connector;
  }

  AuthConnectionPool pool() {
    return pool;
  }

  /** As logs name it. */
  String peer() {
    return connector.peer();
  }

  /** The service's settings. */
  AuthHttpService config() {
    return connector.service();
  }

  /** Whether logins should skip it now. Any thread. */
  boolean isDown() {
    return down && nanoClock.getAsLong() - downUntil < 0;
  }

  /** It answered: up again if it was down. Any thread. */
  void succeeded() {
    if (down) {
      down = false;
      log.warn("auth http server {} is up again", peer());
    }
  }

  /**
   * It failed in a way that says it is down (the caller logs how): skipped for {@code downTime}, and probed on
   * {@code loop} from then on. Any thread.
   */
  void failed(EventLoop loop) {
    if (!canBeMarked || closed) {
      return;
    }
    boolean wasDown = down;
    downUntil = nanoClock.getAsLong() + downNanos;
    down = true;
    if (!wasDown) {
      log.warn("auth http server {} marked down for {} ms", peer(), downNanos / 1_000_000);
    }
    if (probing.compareAndSet(false, true)) {
      scheduleProbe(loop);
    }
  }

  /** Starts looking the service's name up again in the background, on {@code loop}; once. Any thread. */
  void watchName(EventLoop loop) {
    if (names.isPresent() && refreshing.compareAndSet(false, true)) {
      scheduleLookup(loop);
    }
  }

  /** Stops probes and look-ups and closes the pooled connections. Any thread. */
  void close() {
    closed = true;
    pool.close();
  }

  private void scheduleProbe(EventLoop loop) {
    try {
      loop.schedule(() -> probe(loop), downNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The loop is stopping: the mark ends by itself.
      probing.set(false);
    }
  }

  /** Connects once; a connection that can carry a request proves the service back, and goes to the pool. */
  private void probe(EventLoop loop) {
    if (closed || !down || connector.unusable().isPresent()) {
      probing.set(false);
      return;
    }
    Promise<Channel> connecting;
    try {
      connecting = connector.connect(loop);
    } catch (OutboundSockets.NoSocketException e) {
      // No descriptor now (the limit): try again later.
      scheduleProbe(loop);
      return;
    }
    if (connecting == null) {
      // No connection slot on this loop now: try again later.
      scheduleProbe(loop);
      return;
    }
    connecting.addListener((Future<Channel> f) -> {
      if (f.isSuccess() && !closed) {
        probing.set(false);
        log.debug("auth http server {}: probe connected", peer());
        succeeded();
        pool.offer(loop, f.getNow());
      } else if (f.isSuccess()) {
        f.getNow().close();
        probing.set(false);
      } else {
        log.debug("auth http server {}: probe failed ({})", peer(), Errno.describe(f.cause()));
        downUntil = nanoClock.getAsLong() + downNanos;
        scheduleProbe(loop);
      }
    });
  }

  private void scheduleLookup(EventLoop loop) {
    try {
      loop.schedule(() -> lookUp(loop), refresh.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      refreshing.set(false);
    }
  }

  private void lookUp(EventLoop loop) {
    if (closed) {
      return;
    }
    String name = config().lookupName().orElseThrow();
    int port = ((InetSocketAddress) config().address()).getPort();
    names.get().resolve(loop, name, port).addListener((Future<BackendTarget> f) -> {
      if (f.isSuccess()) {
        InetSocketAddress next = f.getNow().first();
        log.debug("auth http server {}: {} is at {}", peer(), name, next);
        connector.moveTo(next);
      } else {
        // Keep the last address: a name server that is away for a moment must not take the auth service with it.
        log.debug("auth http server {}: looking up {} failed ({}), keeping the last address", peer(), name,
            Errno.describe(f.cause()));
      }
      scheduleLookup(loop);
    });
  }
}
