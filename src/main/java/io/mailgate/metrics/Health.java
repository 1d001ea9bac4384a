package io.mailgate.metrics;

import java.util.Optional;

/**
 * {@code /health/ready}: mailgate is ready while its mail listeners are bound (from start-up until a stop begins) and
 * the auth service answers ({@link AuthHealth}).
 */
public final class Health {

  private final ProxyMetrics metrics;
  private volatile boolean serving;

  public Health(ProxyMetrics metrics) {
    this.metrics = metrics;
  }

  /** The mail listeners are bound (start-up done) or no longer (a stop began). */
  public void serving(boolean serving) {
    this.serving = serving;
  }

  /** Why mailgate is not ready; empty when it is. */
  Optional<String> problem() {
    if (!serving) {
      return Optional.of("mail listeners are not bound");
    }
    return metrics.authProblem();
  }
}
