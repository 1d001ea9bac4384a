package io.mailgate.throttle;

/**
 * A two-bucket sliding-window counter: time is cut into fixed windows; the count over the last window-length is
 * estimated as this window's count plus the previous window's count weighted by how much of it still overlaps. Two
 * numbers per key, whatever the rate, and the estimate never forgets a burst at a window's edge the way a plain fixed
 * window does.
 */
public final class SlidingWindow {

  private SlidingWindow() {}

  /** The fixed window {@code nowMillis} falls in. */
  public static long bucket(long nowMillis, long windowMillis) {
    return Math.floorDiv(nowMillis, windowMillis);
  }

  /**
   * The estimated count over the window ending now, rounded up: a throttle errs on the strict side, and rounding down
   * would let a previous window's last failure vanish just after the edge.
   *
   * @param current the count of the fixed window {@code nowMillis} is in
   * @param previous the count of the window before it
   */
  public static long estimate(long current, long previous, long windowMillis, long nowMillis) {
    long elapsed = Math.floorMod(nowMillis, windowMillis);
    double overlap = (double) (windowMillis - elapsed) / windowMillis;
    return current + (long) Math.ceil(previous * overlap);
  }
}
