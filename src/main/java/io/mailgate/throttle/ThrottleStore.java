package io.mailgate.throttle;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where failure counters live: this process's memory, or a Redis server that several mailgate instances share. Each
 * key has two buckets of a {@link SlidingWindow}. Calls never block; their stages may complete on any thread (the
 * caller hops back to its event loop).
 */
public interface ThrottleStore {

  /**
   * The current and previous bucket counts of each key, flattened: {@code [cur0, prev0, cur1, prev1, ...]}.
   *
   * @param bucket the current bucket ({@link SlidingWindow#bucket})
   */
  CompletionStage<long[]> counts(List<String> keys, long windowMillis, long bucket);

  /** Counts one failure in the current bucket of each key. */
  CompletionStage<Void> addFailure(List<String> keys, long windowMillis, long bucket);

  /** Forgets {@code key}'s failures (a successful login). */
  CompletionStage<Void> clear(String key, long windowMillis, long bucket);

  /** Where the counters are, for log lines ({@code memory}, {@code redis 127.0.0.1:6379}). */
  String describe();
}
