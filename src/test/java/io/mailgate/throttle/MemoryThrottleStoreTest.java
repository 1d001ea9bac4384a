package io.mailgate.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory store: bucket rollover, expiry, the key cap, clearing. */
class MemoryThrottleStoreTest {

  private static final long WINDOW = 1000;
  private final long[] clock = {10 * WINDOW};
  private final MemoryThrottleStore store = new MemoryThrottleStore(3, () -> clock[0]);

  private long[] counts(long bucket, String... keys) {
    return store.counts(List.of(keys), WINDOW, bucket).toCompletableFuture().join();
  }

  private void fail(long bucket, String... keys) {
    store.addFailure(List.of(keys), WINDOW, bucket).toCompletableFuture().join();
  }

  @Test
  void failuresRollFromTheCurrentBucketToThePreviousAndThenExpire() {
    fail(10, "a");
    fail(10, "a", "b");
    assertThat(counts(10, "a", "b", "c")).containsExactly(2, 0, 1, 0, 0, 0);
    assertThat(counts(11, "a")).as("a window later they are the previous bucket").containsExactly(0, 2);
    fail(11, "a");
    assertThat(counts(11, "a")).containsExactly(1, 2);
    assertThat(counts(13, "a")).as("two windows on, nothing counts").containsExactly(0, 0);
    fail(13, "a");
    assertThat(counts(13, "a")).as("a stale previous bucket is not carried over").containsExactly(1, 0);
  }

  @Test
  void expiredKeysAreSweptAndTheKeyCapHoldsNewKeysBack() {
    fail(10, "a", "b", "c");
    fail(10, "d");
    assertThat(store.size()).as("capped at 3 keys").isEqualTo(3);
    assertThat(counts(10, "d")).containsExactly(0, 0);
    fail(10, "a");
    assertThat(counts(10, "a")).as("keys already there still count").containsExactly(2, 0);
    clock[0] = 12 * WINDOW;
    fail(12, "d");
    assertThat(store.size()).as("a, b, c expired and were swept to make room").isEqualTo(1);
    assertThat(counts(12, "d")).containsExactly(1, 0);
  }

  @Test
  void clearForgetsOneKey() {
    fail(10, "a", "b");
    store.clear("a", WINDOW, 10).toCompletableFuture().join();
    assertThat(counts(10, "a", "b")).containsExactly(0, 0, 1, 0);
  }

  @Test
  void differentWindowsCountApart() {
    fail(10, "a");
    assertThat(store.counts(List.of("a"), 2 * WINDOW, 10).toCompletableFuture().join()).containsExactly(0, 0);
  }
}
