package io.mailgate.throttle;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Live connections per key (a client address, a listen address), counted across every event loop. A key is in the
 * map only while its count is above zero, so the map is as large as the set of clients connected now. Each
 * increment and decrement is one atomic {@code compute} on its key.
 */
public final class ConnectionCounters {

  private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

  /** Counts one more on {@code key} unless it already has {@code limit}; returns whether it did. */
  public boolean tryAcquire(String key, int limit) {
    boolean[] acquired = {false};
    counts.compute(key, (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= limit) {
        return n;
      }
      acquired[0] = true;
      return now + 1;
    });
    return acquired[0];
  }

  /** Counts one less on {@code key}; the key goes at zero. */
  public void release(String key) {
    counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** The count of {@code key} now (tests, diagnostics). */
  public int count(String key) {
    return counts.getOrDefault(key, 0);
  }

  /** How many keys have a count (tests: zero once every connection is gone). */
  public int keys() {
    return counts.size();
  }
}
