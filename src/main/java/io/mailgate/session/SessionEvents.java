package io.mailgate.session;

import io.mailgate.auth.AuthResult;
import io.mailgate.backend.BackendFailure;
import java.util.List;
import java.util.Optional;

/**
 * What a session tells those who watch it (metrics, the access log). Every method is called on the session's event
 * loop, so an implementation must be quick and must never block; {@link #relayed} is on the byte path. Every method has
 * a no-op default: a watcher implements only what it needs.
 */
public interface SessionEvents {

  /** Watches nothing. */
  SessionEvents NONE = new SessionEvents() {};

  /** A connection was accepted (before the PROXY header and TLS). */
  default void opened(SessionRecord session) {}

  /** The session moved from one phase to the next (it starts in {@link SessionPhase#PRE_AUTH}). */
  default void phaseChanged(SessionRecord session, SessionPhase from, SessionPhase to) {}

  /**
   * A client TLS handshake ended (implicit TLS or STARTTLS).
   *
   * @param failure why it failed; empty when it succeeded ({@link SessionRecord#tlsProtocol()} says which version)
   */
  default void tlsHandshake(SessionRecord session, Optional<Throwable> failure) {}

  /**
   * The auth service answered one question of a login (a WAIT answer is followed by another question).
   *
   * @param nanos from asking to the answer
   */
  default void authAnswered(SessionRecord session, AuthResult result, long nanos) {}

  /**
   * The backend login ended.
   *
   * @param failure why it failed; empty when the session relays from now on
   * @param nanos from the start of the connect to the end of the login
   */
  default void backendLogin(SessionRecord session, Optional<BackendFailure> failure, long nanos) {}

  /** A login attempt ended ({@link SessionRecord#mechanism()} says with which mechanism). */
  default void loginFinished(SessionRecord session, LoginOutcome outcome) {}

  /**
   * The login throttle decided about a login attempt.
   *
   * @param decision a label from a small fixed set the throttle defines ({@code allowed}, {@code refused}, ...)
   */
  default void throttleDecision(SessionRecord session, String decision) {}

  /**
   * A connection limit refused the session (it gets the protocol's refusal and closes).
   *
   * @param limit a label from a small fixed set ({@code preauth_per_client}, ...)
   */
  default void connectionRefused(SessionRecord session, String limit) {}

  /** {@code bytes} were relayed, from the client to the backend or back. On the byte path: keep it cheap. */
  default void relayed(SessionRecord session, boolean fromClient, int bytes) {}

  /** The client connection closed; the record is final. */
  default void closed(SessionRecord session) {}

  /** Tells each of {@code watchers}, in order. */
  static SessionEvents of(List<SessionEvents> watchers) {
    List<SessionEvents> all = watchers.stream().filter(w -> w != NONE).toList();
    if (all.isEmpty()) {
      return NONE;
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    return new SessionEvents() {
      @Override
      public void opened(SessionRecord session) {
        all.forEach(w -> w.opened(session));
      }

      @Override
      public void phaseChanged(SessionRecord session, SessionPhase from, SessionPhase to) {
        all.forEach(w -> w.phaseChanged(session, from, to));
      }

      @Override
      public void tlsHandshake(SessionRecord session, Optional<Throwable> failure) {
        all.forEach(w -> w.tlsHandshake(session, failure));
      }

      @Override
      public void authAnswered(SessionRecord session, AuthResult result, long nanos) {
        all.forEach(w -> w.authAnswered(session, result, nanos));
      }

      @Override
      public void backendLogin(SessionRecord session, Optional<BackendFailure> failure, long nanos) {
        all.forEach(w -> w.backendLogin(session, failure, nanos));
      }

      @Override
      public void loginFinished(SessionRecord session, LoginOutcome outcome) {
        all.forEach(w -> w.loginFinished(session, outcome));
      }

      @Override
      public void throttleDecision(SessionRecord session, String decision) {
        all.forEach(w -> w.throttleDecision(session, decision));
      }

      @Override
      public void connectionRefused(SessionRecord session, String limit) {
        all.forEach(w -> w.connectionRefused(session, limit));
      }

      @Override
      public void relayed(SessionRecord session, boolean fromClient, int bytes) {
        for (SessionEvents w : all) {
          w.relayed(session, fromClient, bytes);
        }
      }

      @Override
      public void closed(SessionRecord session) {
        all.forEach(w -> w.closed(session));
      }
    };
  }
}
