package io.mailgate.throttle;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one line through per interval: an outage of Redis, or a flood refused by a limit, would otherwise write a line
 * per login or connection. The lines held back are counted, and the next line that goes out says how many.
 */
public final class RateLimitedLog {

  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final AtomicLong nextAllowed;
  private final AtomicLong suppressed = new AtomicLong();

  /** At most one line per {@code intervalNanos}. */
  public RateLimitedLog(long intervalNanos) {
    this(intervalNanos, System::nanoTime);
  }

  /** As {@link #RateLimitedLog(long)}, on {@code nanoClock} (tests). */
  public RateLimitedLog(long intervalNanos, LongSupplier nanoClock) {
    this.intervalNanos = intervalNanos;
    this.nanoClock = nanoClock;
    this.nextAllowed = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * Whether a line may go out now. Returns -1 when not (the line is counted as held back), otherwise how many were
   * held back since the last one.
   */
  public long tryAcquire() {
    long now = nanoClock.getAsLong();
    long next = nextAllowed.get();
    if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      return suppressed.getAndSet(0);
    }
    suppressed.incrementAndGet();
    return -1;
  }
}
