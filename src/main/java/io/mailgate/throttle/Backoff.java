package io.mailgate.throttle;

import java.time.Duration;

/** The delay of a throttled login: {@code base * 2^excess}, capped at {@code max}. */
public final class Backoff {

  private Backoff() {}

  /**
   * @param excess how many failures over the threshold there are (0 for the first throttled attempt)
   */
  public static Duration delay(long excess, Duration base, Duration max) {
    long nanos = base.toNanos();
    long cap = max.toNanos();
    // Doubling stops at the cap, so this loops at most 63 times and never overflows.
    for (long i = 0; i < excess && nanos > 0 && nanos < cap; i++) {
      nanos = nanos > cap / 2 ? cap : nanos * 2;
    }
    return Duration.ofNanos(Math.min(nanos, cap));
  }
}
