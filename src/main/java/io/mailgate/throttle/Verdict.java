package io.mailgate.throttle;

import java.time.Duration;

/**
 * The throttle's answer for one login attempt.
 *
 * @param allow whether the auth service may be asked
 * @param delay how long a refused attempt waits before its refusal (zero for none)
 * @param label the {@code throttleDecision} label: {@code allowed}, {@code exempt}, {@code store_error_open} (asked);
 *     {@code delayed} (refused after {@code delay}), {@code refused} (refused at once), {@code store_error_closed}
 */
public record Verdict(boolean allow, Duration delay, String label) {

  public static final String ALLOWED = "allowed";
  public static final String DELAYED = "delayed";
  public static final String REFUSED = "refused";
  public static final String EXEMPT = "exempt";
  public static final String STORE_ERROR_OPEN = "store_error_open";
  public static final String STORE_ERROR_CLOSED = "store_error_closed";

  static final Verdict ALLOW = new Verdict(true, Duration.ZERO, ALLOWED);
  static final Verdict ALLOW_EXEMPT = new Verdict(true, Duration.ZERO, EXEMPT);
  static final Verdict ALLOW_STORE_ERROR = new Verdict(true, Duration.ZERO, STORE_ERROR_OPEN);
  static final Verdict REFUSE_STORE_ERROR = new Verdict(false, Duration.ZERO, STORE_ERROR_CLOSED);

  /** Throttled: refused after {@code delay}. */
  static Verdict throttled(Duration delay) {
    return new Verdict(false, delay, delay.isZero() ? REFUSED : DELAYED);
  }

  /** Whether this attempt counts as a failure too (a throttled one does: the delay grows while it goes on). */
  boolean throttled() {
    return !allow && (label.equals(DELAYED) || label.equals(REFUSED));
  }
}
