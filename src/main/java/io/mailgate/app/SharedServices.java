package io.mailgate.app;

import io.mailgate.accesslog.AccessLogs;
import io.mailgate.authn.oauth.HttpFetcher;
import io.mailgate.backend.BackendConnector;
import io.mailgate.metrics.Health;
import io.mailgate.metrics.MetricsServer;
import io.mailgate.metrics.ProxyMetrics;
import io.mailgate.resolver.ClientNameResolvers;
import io.mailgate.throttle.ThrottleServices;
import io.mailgate.transport.PerLoopConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What every configuration of a running mailgate shares, made once at start-up and kept across reloads: the event
 * loops (sessions stay on their loop for life), the {@code worker_connections} gate, the backend connector, the
 * password-hashing pool, the identity providers' HTTP client, the demo services, the access-log writer, the login
 * throttle's counters, and the metrics (one registry, so counters do not reset on a reload) with their HTTP server.
 */
final class SharedServices implements AutoCloseable {

  private final Transport transport;
  private final MultiThreadIoEventLoopGroup group;
  private final PerLoopConnectionGate gate;
  private final BackendConnector backends;
  private final ExecutorService hashing;
  private final DemoServices demo;
  private final Executor closer;
  private final ProxyMetrics metrics;
  private final Health health;
  private final MetricsServer metricsServer;
  private final AccessLogs accessLogs = new AccessLogs();
  private HttpFetcher fetcher;
  /** Throttle counters and connection counts outlive a reload (a HUP must not forgive an attacker). */
  private final ThrottleServices throttle = new ThrottleServices();

  /**
   * @param closer where a retired configuration is closed once its last login ends (never an event loop)
   */
  SharedServices(Transport transport, int eventLoops, int workerConnections, Executor closer) {
    this.transport = transport;
    this.group = transport.newGroup(eventLoops, "mailgate");
    this.gate = new PerLoopConnectionGate(group, workerConnections);
    this.backends = new BackendConnector(transport, gate);
    this.hashing = Authenticators.newHashingPool();
    this.demo = new DemoServices(transport);
    this.closer = closer;
    this.metrics = ProxyMetrics.prometheus(Version.number());
    this.health = new Health(metrics);
    this.metricsServer = new MetricsServer(transport, metrics, health);
    metrics.watchAccessLogDrops(accessLogs::dropped);
  }

  Transport transport() {
    return transport;
  }

  MultiThreadIoEventLoopGroup group() {
    return group;
  }

  PerLoopConnectionGate gate() {
    return gate;
  }

  BackendConnector backends() {
    return backends;
  }

  DemoServices demo() {
    return demo;
  }

  Executor closer() {
    return closer;
  }

  ProxyMetrics metrics() {
    return metrics;
  }

  Health health() {
    return health;
  }

  MetricsServer metricsServer() {
    return metricsServer;
  }

  /** Every configuration's access-log destinations and their writer thread. */
  AccessLogs accessLogs() {
    return accessLogs;
  }

  /** Authenticators for a new configuration, on the shared pools. */
  Authenticators newAuthenticators() {
    return new Authenticators(transport, gate, demo, hashing, this::fetcher);
  }

  /** Client-name resolvers for a new configuration (their caches start empty). */
  ClientNameResolvers newResolvers() {
    return new ClientNameResolvers(group, transport);
  }

  /** A new configuration's hold on the throttle's shared counters and Redis clients; close it with the configuration. */
  ThrottleServices.Lease throttleLease() {
    return throttle.lease();
  }

  /** One HTTP client (two daemon threads) for every configuration's identity providers, made on first need. */
  private synchronized HttpFetcher fetcher() {
    if (fetcher == null) {
      fetcher = HttpFetcher.jdk();
    }
    return fetcher;
  }

  /**
   * Stops the metrics server, the demo services, the hashing pool and the event loops (closing every connection still
   * open).
   */
  @Override
  public void close() {
    metricsServer.close();
    metrics.close();
    demo.close();
    throttle.close();
    hashing.shutdownNow();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    // After the loops: the sessions they closed have queued their lines.
    accessLogs.close();
  }
}
