package io.mailgate.throttle;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Failure counters in this process's memory, shared by every event loop and kept across reloads. Bounded: a key
 * whose two buckets are both in the past counts nothing and is swept away, and at most {@code maxKeys} keys are kept.
 * When that many keys are live (a flood of distinct user names), new keys are not counted until a sweep frees room:
 * the address counters, which such a flood hits hardest, already exist by then.
 */
public final class MemoryThrottleStore implements ThrottleStore {

  /** Adds between sweeps of expired keys when the store is not full. */
  private static final int SWEEP_EVERY = 4096;

  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final int maxKeys;
  private final LongSupplier clock;
  private final AtomicInteger addsSinceSweep = new AtomicInteger();

  /** A store of at most {@code maxKeys} keys on the wall clock. */
  public MemoryThrottleStore(int maxKeys) {
    this(maxKeys, System::currentTimeMillis);
  }

  /** As {@link #MemoryThrottleStore(int)}, on {@code clock} (tests). */
  MemoryThrottleStore(int maxKeys, LongSupplier clock) {
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  /** Two buckets of one key; each key also names its window, so the bucket numbers of one key never mix windows. */
  private static final class Counter {
    private final long windowMillis;
    private long bucket;
    private long current;
    private long previous;

    Counter(long windowMillis, long bucket) {
      this.windowMillis = windowMillis;
      this.bucket = bucket;
    }

    synchronized void read(long now, long[] into, int at) {
      if (bucket == now) {
        into[at] = current;
        into[at + 1] = previous;
      } else if (bucket == now - 1) {
        into[at] = 0;
        into[at + 1] = current;
      } else {
        into[at] = 0;
        into[at + 1] = 0;
      }
    }

    synchronized void add(long now) {
      if (bucket != now) {
        previous = bucket == now - 1 ? current : 0;
        current = 0;
        bucket = now;
      }
      current++;
    }

    synchronized boolean expired(long nowMillis) {
      return bucket < SlidingWindow.bucket(nowMillis, windowMillis) - 1;
    }
  }

  @Override
  public CompletionStage<long[]> counts(List<String> keys, long windowMillis, long bucket) {
    long[] out = new long[keys.size() * 2];
    for (int i = 0; i < keys.size(); i++) {
      Counter c = counters.get(key(keys.get(i), windowMillis));
      if (c != null) {
        c.read(bucket, out, i * 2);
      }
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public CompletionStage<Void> addFailure(List<String> keys, long windowMillis, long bucket) {
    if (addsSinceSweep.incrementAndGet() >= SWEEP_EVERY || counters.size() >= maxKeys) {
      sweep();
    }
    for (String k : keys) {
      String key = key(k, windowMillis);
      Counter c = counters.get(key);
      if (c == null) {
        if (counters.size() >= maxKeys) {
          continue;
        }
        c = counters.computeIfAbsent(key, x -> new Counter(windowMillis, bucket));
      }
      c.add(bucket);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> clear(String key, long windowMillis, long bucket) {
    counters.remove(key(key, windowMillis));
    return CompletableFuture.completedFuture(null);
  }

  /** Drops every key that counts nothing any more. */
  void sweep() {
    addsSinceSweep.set(0);
    long now = clock.getAsLong();
    counters.values().removeIf(c -> c.expired(now));
  }

  /** How many keys are kept (tests). */
  int size() {
    return counters.size();
  }

  private static String key(String key, long windowMillis) {
    return windowMillis + ":" + key;
  }

  @Override
  public String describe() {
    return "memory";
  }
}
