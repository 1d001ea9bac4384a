package io.mailgate.metrics;

import io.mailgate.auth.AuthResult;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Whether the auth service answers, for {@code /health/ready}, judged from the answers logins get (mailgate does not
 * probe it on its own). It is unhealthy from the moment a question fails because the service could not be reached,
 * timed out, failed its TLS handshake, answered garbage or an HTTP 5xx, until a later question gets a real answer (yes, no or wait) or until {@link #HOLD}
 * has passed without another such failure. The hold ends by itself so that a load balancer that took mailgate out of
 * rotation (and so sends no more logins that could prove the service back) lets it in again to try. Failures that
 * are mailgate's own (shutting down, no room, a user without a backend) say nothing about the service. With only
 * built-in authenticators nothing remote can fail this way, and the auth side is always ready.
 */
final class AuthHealth {

  /** How long one failure keeps mailgate unready when no answer comes after it. */
  static final Duration HOLD = Duration.ofSeconds(30);

  private final LongSupplier nanoClock;
  private final long holdNanos;
  /** Written by every event loop, read by the metrics server: volatile; a lost race only shifts a time a little. */
  private volatile long lastFailure;
  private volatile boolean failed;
  private volatile String failedKind = "";
  private volatile long lastAnswer;

  AuthHealth(LongSupplier nanoClock, Duration hold) {
    this.nanoClock = nanoClock;
    this.holdNanos = hold.toNanos();
  }

  /** One answer of the auth service (or the failure to get one). */
  void answered(AuthResult result) {
    if (result instanceof AuthResult.Unavailable unavailable) {
      AuthResult.Unavailable.Kind kind = unavailable.kind();
      if (kind == AuthResult.Unavailable.Kind.CONNECT || kind == AuthResult.Unavailable.Kind.TIMEOUT
          || kind == AuthResult.Unavailable.Kind.INVALID_RESPONSE || kind == AuthResult.Unavailable.Kind.TLS
          || kind == AuthResult.Unavailable.Kind.SERVER_ERROR) {
        failedKind = kind.label();
        lastFailure = nanoClock.getAsLong();
        failed = true;
      }
    } else {
      lastAnswer = nanoClock.getAsLong();
    }
  }

  /** Why the auth side is not ready; empty when it is. */
  Optional<String> problem() {
    if (!failed) {
      return Optional.empty();
    }
    long failure = lastFailure;
    long now = nanoClock.getAsLong();
    if (lastAnswer - failure > 0 || now - failure > holdNanos) {
      return Optional.empty();
    }
    return Optional.of("auth service failed (" + failedKind + ") " + Duration.ofNanos(now - failure).toMillis()
        + " ms ago and has not answered since");
  }
}
