package io.mailgate.bench;

import java.time.Duration;

/** The measurement window of a timed scenario: warm-up first, then the measured interval, in nanoTime. */
final class Window {

  final long start;
  final long end;

  Window(Duration warmup, Duration duration) {
    this.start = System.nanoTime() + warmup.toNanos();
    this.end = start + duration.toNanos();
  }

  /** Whether {@code now} falls inside the measured interval. */
  boolean contains(long now) {
    return now >= start && now < end;
  }

  /** Whether the run is over. */
  boolean over(long now) {
    return now >= end;
  }

  /** The measured interval in seconds. */
  double seconds() {
    return (end - start) / 1e9;
  }

  /** Sleeps the calling (main) thread until {@code deadline}. */
  static void sleepUntil(long deadline) throws InterruptedException {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 200)));
    }
  }
}
