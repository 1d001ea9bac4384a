package io.mailgate.metrics;

import io.mailgate.auth.AuthResult;
import io.mailgate.backend.BackendFailure;
import io.mailgate.session.LoginOutcome;
import io.mailgate.session.SessionEvents;
import io.mailgate.session.SessionPhase;
import io.mailgate.session.SessionRecord;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The metrics watcher of one server's sessions. Its meters are resolved when the configuration is built: the byte
 * path ({@link #relayed}) increments a counter it holds, with no lookup; per-listener meters are found in a map of the
 * server's few listen addresses at accept, phase change and close only.
 */
public final class ServerMeters implements SessionEvents {

  private final ProxyMetrics metrics;
  private final ProxyMetrics.ProtocolMeters protocol;
  private final Map<String, ProxyMetrics.ListenerMeters> listeners;

  ServerMeters(ProxyMetrics metrics, ProxyMetrics.ProtocolMeters protocol,
      Map<String, ProxyMetrics.ListenerMeters> listeners) {
    this.metrics = metrics;
    this.protocol = protocol;
    this.listeners = Map.copyOf(listeners);
  }

  private ProxyMetrics.ListenerMeters listener(SessionRecord session) {
    ProxyMetrics.ListenerMeters known = listeners.get(session.listener());
    // A session always comes from one of its server's listen addresses; the fallback only keeps a gauge from
    // drifting should that ever change.
    return known != null ? known : metrics.listener(session.protocol(), session.listener());
  }

  @Override
  public void opened(SessionRecord session) {
    ProxyMetrics.ListenerMeters l = listener(session);
    l.accepted.increment();
    l.active[session.phase().ordinal()].incrementAndGet();
  }

  @Override
  public void phaseChanged(SessionRecord session, SessionPhase from, SessionPhase to) {
    ProxyMetrics.ListenerMeters l = listener(session);
    l.active[from.ordinal()].decrementAndGet();
    l.active[to.ordinal()].incrementAndGet();
  }

  @Override
  public void closed(SessionRecord session) {
    listener(session).active[session.phase().ordinal()].decrementAndGet();
  }

  @Override
  public void tlsHandshake(SessionRecord session, Optional<Throwable> failure) {
    if (failure.isPresent()) {
      protocol.tlsFailures.increment();
    } else {
      protocol.tlsVersions.get(session.tlsProtocol().orElse(BoundedLabels.OTHER)).increment();
    }
  }

  @Override
  public void authAnswered(SessionRecord session, AuthResult result, long nanos) {
    protocol.authDuration.record(nanos, TimeUnit.NANOSECONDS);
    metrics.authAnswered(result);
  }

  @Override
  public void backendLogin(SessionRecord session, Optional<BackendFailure> failure, long nanos) {
    protocol.backendLoginDuration.record(nanos, TimeUnit.NANOSECONDS);
    failure.ifPresent(f -> protocol.backendFailures.get(f).increment());
  }

  @Override
  public void loginFinished(SessionRecord session, LoginOutcome outcome) {
    protocol.logins.get(session.mechanism(), outcome).increment();
  }

  @Override
  public void throttleDecision(SessionRecord session, String decision) {
    metrics.throttleDecision(decision);
  }

  @Override
  public void connectionRefused(SessionRecord session, String limit) {
    metrics.connectionRefused(limit);
  }

  @Override
  public void relayed(SessionRecord session, boolean fromClient, int bytes) {
    (fromClient ? protocol.toBackend : protocol.toClient).increment(bytes);
  }
}
