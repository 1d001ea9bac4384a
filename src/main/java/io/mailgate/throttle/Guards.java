package io.mailgate.throttle;

import java.util.Optional;

/**
 * What one server checks its sessions against: the login throttle (when {@code login_throttle on}) and the
 * connection limits.
 */
public record Guards(Optional<LoginThrottle> throttle, ConnectionLimits limits) {

  /** No throttle, no limits (nginx's behaviour; tests). */
  public static Guards none() {
    return new Guards(Optional.empty(), new ConnectionLimits(io.mailgate.config.ThrottleConfig.Limits.UNLIMITED,
        new ConnectionLimits.Counters()));
  }
}
