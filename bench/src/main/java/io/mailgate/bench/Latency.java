package io.mailgate.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency recorder safe to write from any event loop (HdrHistogram's wait-free {@link Recorder}), in
 * nanoseconds with three significant digits.
 */
public final class Latency {

  private final Recorder recorder = new Recorder(TimeUnit.MINUTES.toNanos(5), 3);

  /** Records one duration; values past the range are clamped to it. */
  public void record(long nanos) {
    recorder.recordValue(Math.max(0, Math.min(nanos, TimeUnit.MINUTES.toNanos(5))));
  }

  /** Forgets everything recorded so far (the end of a warm-up). */
  public void reset() {
    recorder.reset();
  }

  /** Adds {@code p50/p90/p99/p999/max/mean} with the given key prefix, in milliseconds or microseconds. */
  public void report(Json out, String prefix, boolean micros) {
    Histogram h = recorder.getIntervalHistogram();
    double div = micros ? 1e3 : 1e6;
    String unit = micros ? "_us" : "_ms";
    out.put(prefix + "samples", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      out.put(prefix + "p50" + unit, null).put(prefix + "p99" + unit, null);
      return;
    }
    out.put(prefix + "p50" + unit, h.getValueAtPercentile(50) / div);
    out.put(prefix + "p90" + unit, h.getValueAtPercentile(90) / div);
    out.put(prefix + "p99" + unit, h.getValueAtPercentile(99) / div);
    out.put(prefix + "p999" + unit, h.getValueAtPercentile(99.9) / div);
    out.put(prefix + "max" + unit, h.getMaxValue() / div);
    out.put(prefix + "mean" + unit, h.getMean() / div);
  }
}
