package io.mailgate.metrics;

import io.mailgate.auth.AuthResult;
import io.mailgate.backend.BackendFailure;
import io.mailgate.sasl.Mechanism;
import io.mailgate.session.LoginOutcome;
import io.mailgate.session.SessionPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The process's metrics: owns the registry and every metric name and label, and makes the meters the sessions update.
 * One for the process ({@code SharedServices}): a reload builds new {@link ServerMeters} over the same meters, so
 * counters never reset and gauges count sessions of every configuration still alive.
 *
 * <p>Labels never carry a user, a client address or a backend: only the protocol, the configured listen text, and
 * values from fixed sets (phases, outcomes, mechanisms, failure kinds; TLS versions and throttle labels capped by
 * {@link BoundedLabels}). Micrometer's dotted names become Prometheus names ({@code mailgate.logins} is
 * {@code mailgate_logins_total}).
 */
public final class ProxyMetrics {

  static final String CONNECTIONS_ACCEPTED = "mailgate.connections.accepted";
  static final String SESSIONS_ACTIVE = "mailgate.sessions.active";
  static final String LOGINS = "mailgate.logins";
  static final String AUTH_DURATION = "mailgate.auth.duration";
  static final String AUTH_ERRORS = "mailgate.auth.errors";
  static final String BACKEND_LOGIN_DURATION = "mailgate.backend.login.duration";
  static final String BACKEND_FAILURES = "mailgate.backend.failures";
  static final String RELAYED = "mailgate.relayed";
  static final String TLS_HANDSHAKES = "mailgate.tls.handshakes";
  static final String TLS_HANDSHAKE_FAILURES = "mailgate.tls.handshake.failures";
  static final String THROTTLE_DECISIONS = "mailgate.throttle.decisions";
  static final String CONNECTIONS_REFUSED = "mailgate.connections.refused";
  static final String RELOADS = "mailgate.reloads";
  static final String BUILD_INFO = "mailgate.build.info";
  static final String NETTY_DIRECT_USED = "mailgate.netty.direct.memory.used";
  static final String NETTY_ALLOCATOR_USED = "mailgate.netty.allocator.memory.used";
  static final String ACCESS_LOG_DROPPED = "mailgate.access.log.dropped.lines";

  /** Where the latency histograms put their bucket bounds: from a loopback answer to a stuck service. */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** More distinct TLS versions or throttle labels than this share {@code other}. */
  private static final int LABEL_LIMIT = 16;

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final AuthHealth authHealth = new AuthHealth(System::nanoTime, AuthHealth.HOLD);
  private final Map<AuthResult.Unavailable.Kind, Counter> authErrors = new EnumMap<>(AuthResult.Unavailable.Kind.class);
  private final BoundedLabels<Counter> throttleDecisions;
  private final BoundedLabels<Counter> refusals;
  private final Counter reloadsOk;
  private final Counter reloadsFailed;
  private final ConcurrentMap<String, ProtocolMeters> protocols = new ConcurrentHashMap<>();
  private final ConcurrentMap<List<String>, ListenerMeters> listeners = new ConcurrentHashMap<>();
  private final JvmGcMetrics gc;

  /** The process's metrics in a Prometheus registry, with the JVM's and Netty's. */
  public static ProxyMetrics prometheus(String version) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return new ProxyMetrics(registry, registry, version, true);
  }

  /**
   * @param prometheus the registry {@link #scrape()} reads (the same object as {@code registry} in production)
   * @param jvm whether to add the JVM and Netty meters (unit tests leave them out to count series)
   */
  ProxyMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, String version, boolean jvm) {
    this.registry = registry;
    this.prometheus = prometheus;
    for (AuthResult.Unavailable.Kind kind : AuthResult.Unavailable.Kind.values()) {
      authErrors.put(kind, Counter.builder(AUTH_ERRORS).description("Auth service questions that got no answer")
          .tag("kind", kind.label()).register(registry));
    }
    throttleDecisions = new BoundedLabels<>(LABEL_LIMIT, decision -> Counter.builder(THROTTLE_DECISIONS)
        .description("Login throttle decisions").tag("decision", decision).register(registry));
    refusals = new BoundedLabels<>(LABEL_LIMIT, limit -> Counter.builder(CONNECTIONS_REFUSED)
        .description("Connections refused by a connection limit").tag("limit", limit).register(registry));
    reloadsOk = Counter.builder(RELOADS).description("Configuration reloads").tag("result", "ok").register(registry);
    reloadsFailed = Counter.builder(RELOADS).description("Configuration reloads").tag("result", "failed")
        .register(registry);
    Gauge.builder(BUILD_INFO, () -> 1).description("The running mailgate's version").tag("version", version)
        .register(registry);
    if (jvm) {
      new JvmMemoryMetrics().bindTo(registry);
      gc = new JvmGcMetrics();
      gc.bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      nettyMemory(registry);
    } else {
      gc = null;
    }
  }

  /** Netty's direct memory: what it counts itself (-1 when it does not), and its default allocator's use. */
  private static void nettyMemory(MeterRegistry registry) {
    Gauge.builder(NETTY_DIRECT_USED, PlatformDependent::usedDirectMemory)
        .description("Direct memory Netty has reserved (-1: not tracked)").baseUnit("bytes").register(registry);
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
      Gauge.builder(NETTY_ALLOCATOR_USED, provider, p -> p.metric().usedDirectMemory())
          .description("Memory Netty's default allocator holds").baseUnit("bytes").tag("area", "direct")
          .register(registry);
      Gauge.builder(NETTY_ALLOCATOR_USED, provider, p -> p.metric().usedHeapMemory())
          .description("Memory Netty's default allocator holds").baseUnit("bytes").tag("area", "heap")
          .register(registry);
    }
  }

  /**
   * Reads the access log's count of lines it dropped when its writer could not keep up (it counts them itself: the
   * access log must not depend on whether metrics are on).
   */
  public void watchAccessLogDrops(LongSupplier dropped) {
    FunctionCounter.builder(ACCESS_LOG_DROPPED, dropped, LongSupplier::getAsLong)
        .description("Access-log lines dropped because the writer could not keep up").register(registry);
  }

  /**
   * The watcher of one server's sessions, its meters resolved now.
   *
   * @param protocol {@code imap}, {@code pop3}, {@code smtp}
   * @param listens the server's listen addresses as configured (the {@code listener} label values)
   */
  public ServerMeters forServer(String protocol, List<String> listens) {
    ProtocolMeters perProtocol = protocol(protocol);
    Map<String, ListenerMeters> perListener = new HashMap<>();
    for (String listen : listens) {
      perListener.put(listen, listener(protocol, listen));
    }
    return new ServerMeters(this, perProtocol, perListener);
  }

  ProtocolMeters protocol(String protocol) {
    return protocols.computeIfAbsent(protocol, p -> new ProtocolMeters(registry, p));
  }

  ListenerMeters listener(String protocol, String listen) {
    return listeners.computeIfAbsent(List.of(protocol, listen), k -> new ListenerMeters(registry, protocol, listen));
  }

  void authAnswered(AuthResult result) {
    authHealth.answered(result);
    if (result instanceof AuthResult.Unavailable unavailable) {
      authErrors.get(unavailable.kind()).increment();
    }
  }

  void throttleDecision(String decision) {
    throttleDecisions.get(decision).increment();
  }

  void connectionRefused(String limit) {
    refusals.get(limit).increment();
  }

  /** A reload ended. */
  public void reloaded(boolean ok) {
    (ok ? reloadsOk : reloadsFailed).increment();
  }

  /** Why the auth service is not ready; empty when it is ({@link AuthHealth}). */
  public Optional<String> authProblem() {
    return authHealth.problem();
  }

  /** Every meter in the Prometheus text format (version 0.0.4). CPU only: fine on the metrics server's loop. */
  public String scrape() {
    return prometheus.scrape();
  }

  /** The registry (tests count its meters). */
  MeterRegistry registry() {
    return registry;
  }

  /** Stops the GC listener. */
  public void close() {
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }

  /** The meters of one protocol: resolved once per process, so the byte path reaches its counter directly. */
  static final class ProtocolMeters {
    final Counter toBackend;
    final Counter toClient;
    final Timer authDuration;
    final Timer backendLoginDuration;
    final Map<BackendFailure, Counter> backendFailures = new EnumMap<>(BackendFailure.class);
    final Counter tlsFailures;
    final BoundedLabels<Counter> tlsVersions;
    final LoginCounters logins;

    ProtocolMeters(MeterRegistry registry, String protocol) {
      toBackend = relayed(registry, protocol, "client_to_backend");
      toClient = relayed(registry, protocol, "backend_to_client");
      authDuration = Timer.builder(AUTH_DURATION).description("From asking the auth service to its answer")
          .tag("protocol", protocol).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
      backendLoginDuration = Timer.builder(BACKEND_LOGIN_DURATION)
          .description("From connecting to the backend to the end of its login").tag("protocol", protocol)
          .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
      for (BackendFailure failure : BackendFailure.values()) {
        backendFailures.put(failure, Counter.builder(BACKEND_FAILURES).description("Failed backend logins")
            .tag("protocol", protocol).tag("kind", failure.name().toLowerCase(Locale.ROOT))
            .register(registry));
      }
      tlsFailures = Counter.builder(TLS_HANDSHAKE_FAILURES).description("Failed client TLS handshakes")
          .tag("protocol", protocol).register(registry);
      tlsVersions = new BoundedLabels<>(LABEL_LIMIT, version -> Counter.builder(TLS_HANDSHAKES)
          .description("Client TLS handshakes that succeeded").tag("protocol", protocol).tag("version", version)
          .register(registry));
      logins = new LoginCounters(registry, protocol);
    }

    private static Counter relayed(MeterRegistry registry, String protocol, String direction) {
      return Counter.builder(RELAYED).description("Bytes relayed between clients and backends").baseUnit("bytes")
          .tag("protocol", protocol).tag("direction", direction).register(registry);
    }
  }

  /** The connection counter and session gauges of one listen address. */
  static final class ListenerMeters {
    final Counter accepted;
    /** Sessions in each phase, by {@link SessionPhase#ordinal()}. */
    final AtomicLong[] active = new AtomicLong[SessionPhase.values().length];

    ListenerMeters(MeterRegistry registry, String protocol, String listen) {
      accepted = Counter.builder(CONNECTIONS_ACCEPTED).description("Client connections accepted")
          .tag("protocol", protocol).tag("listener", listen).register(registry);
      for (SessionPhase phase : SessionPhase.values()) {
        AtomicLong count = new AtomicLong();
        active[phase.ordinal()] = count;
        Gauge.builder(SESSIONS_ACTIVE, count, AtomicLong::get).description("Open client sessions by phase")
            .tag("protocol", protocol).tag("listener", listen).tag("phase", phase.label()).strongReference(true)
            .register(registry);
      }
    }
  }

  /** Logins by mechanism and outcome, made on first use (most combinations never happen). */
  static final class LoginCounters {
    private static final int OUTCOMES = LoginOutcome.values().length;
    private final MeterRegistry registry;
    private final String protocol;
    /** [mechanism ordinal, or the last row for none] x outcome. */
    private final AtomicReferenceArray<Counter> counters;

    LoginCounters(MeterRegistry registry, String protocol) {
      this.registry = registry;
      this.protocol = protocol;
      this.counters = new AtomicReferenceArray<>(
          (Mechanism.values().length + 1) * OUTCOMES);
    }

    Counter get(Optional<Mechanism> mechanism, LoginOutcome outcome) {
      int row = mechanism.map(Enum::ordinal).orElse(Mechanism.values().length);
      int index = row * OUTCOMES + outcome.ordinal();
      Counter c = counters.get(index);
      if (c == null) {
        // Two loops racing here get the same meter back from the registry.
        c = Counter.builder(LOGINS).description("Login attempts by how they ended").tag("protocol", protocol)
            .tag("mechanism", mechanism.map(Mechanism::directiveName).orElse("unknown"))
            .tag("result", outcome.label()).register(registry);
        counters.set(index, c);
      }
      return c;
    }
  }
}
