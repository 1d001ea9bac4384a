package io.mailgate.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The soak's client-side counts, updated from the event loops and read by the sampler. */
final class SoakStats {

  /** Distinct error texts kept (digits folded), so a flood of one failure cannot grow this map. */
  private static final int MAX_REASONS = 50;

  final AtomicInteger open = new AtomicInteger();
  final LongAdder connects = new LongAdder();
  final Map<SoakSession.Mech, LongAdder> loginsOk = new EnumMap<>(SoakSession.Mech.class);
  final LongAdder loginsRejectedAsExpected = new LongAdder();
  final LongAdder fetchVerified = new LongAdder();
  final LongAdder fetchBytes = new LongAdder();
  final LongAdder fetchMismatch = new LongAdder();
  final LongAdder appendVerified = new LongAdder();
  final LongAdder appendBytes = new LongAdder();
  final LongAdder appendMissing = new LongAdder();
  final LongAdder idles = new LongAdder();
  final LongAdder noops = new LongAdder();
  final LongAdder logouts = new LongAdder();
  final Map<SoakSession.Abrupt, LongAdder> abrupt = new EnumMap<>(SoakSession.Abrupt.class);
  final LongAdder unexpected = new LongAdder();
  private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
  private final AtomicInteger largestSeen = new AtomicInteger();

  SoakStats() {
    for (SoakSession.Mech m : SoakSession.Mech.values()) {
      loginsOk.put(m, new LongAdder());
    }
    for (SoakSession.Abrupt a : SoakSession.Abrupt.values()) {
      abrupt.put(a, new LongAdder());
    }
  }

  long loginsOkTotal() {
    return loginsOk.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long abruptTotal() {
    return abrupt.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Records the size of a message moved and verified, for the report's largest size. */
  void moved(int size) {
    largestSeen.accumulateAndGet(size, Math::max);
  }

  int largestMoved() {
    return largestSeen.get();
  }

  /** An unexpected failure: counted, and its text (digits folded to {@code #}) tallied. */
  void unexpected(String reason) {
    unexpected.increment();
    String key = reason.replaceAll("[0-9]+", "#");
    if (reasons.size() < MAX_REASONS || reasons.containsKey(key)) {
      reasons.computeIfAbsent(key, k -> new LongAdder()).increment();
    }
  }

  /** The tally of unexpected failures, by text. */
  Map<String, Long> reasons() {
    Map<String, Long> out = new TreeMap<>();
    reasons.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
