package io.mailgate.authn.oauth;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys, fetched lazily and kept. A token whose key is missing asks for a fresh fetch ({@link #refreshed}),
 * which is how a rotated-in key is picked up; a fresh set replaces the old one wholesale, which is how a rotated-out
 * key is dropped. Fetches are rate limited (unknown {@code kid}s are client-controlled), one runs at a time, and a
 * failed fetch keeps the keys already held: an unreachable identity provider only hurts before the first success.
 */
final class KeySetCache {

  private static final Logger log = LoggerFactory.getLogger(KeySetCache.class);

  /** Keys older than this are refreshed in the background (a revoked key must not live forever). */
  static final Duration MAX_AGE = Duration.ofMinutes(15);

  /** With no keys at all, a failed fetch is retried sooner than the rate limit, so recovery is quick. */
  static final Duration EMPTY_RETRY = Duration.ofSeconds(5);

  private final KeySource source;
  private final Duration minInterval;
  private final Clock clock;

  private KeySnapshot current;
  private Instant fetchedAt = Instant.MIN;
  private Instant lastAttempt = Instant.MIN;
  private String lastError = "not fetched yet";
  private boolean lastFetchFailed;
  private CompletableFuture<KeySnapshot> inflight;

  KeySetCache(KeySource source, Duration minInterval, Clock clock) {
    this.source = source;
    this.minInterval = minInterval;
    this.clock = clock;
  }

  /** The keys held (starting a background refresh when they are old), or the first fetch's. */
  synchronized CompletableFuture<KeySnapshot> current() {
    Instant now = clock.instant();
    if (current != null) {
      KeySnapshot held = current;
      if (inflight == null && isOlder(fetchedAt, MAX_AGE, now) && isOlder(lastAttempt, minInterval, now)) {
        fetch(now);
      }
      return CompletableFuture.completedFuture(held);
    }
    if (inflight != null) {
      return inflight;
    }
    if (!isOlder(lastAttempt, minInterval.compareTo(EMPTY_RETRY) < 0 ? minInterval : EMPTY_RETRY, now)) {
      return CompletableFuture.failedFuture(new IOException("keys from " + source.describe()
          + " unavailable: " + lastError));
    }
    return fetch(now);
  }

  /**
   * Keys for a token whose key was not found: a fresh set, or the running fetch's, or (rate limited, or the fetch
   * failed) the keys held.
   */
  synchronized CompletableFuture<KeySnapshot> refreshed() {
    if (inflight != null) {
      return inflight;
    }
    Instant now = clock.instant();
    if (isOlder(lastAttempt, minInterval, now)) {
      return fetch(now);
    }
    log.debug("oauth key refresh from {} skipped: rate limited", source.describe());
    return current();
  }

  private CompletableFuture<KeySnapshot> fetch(Instant now) {
    lastAttempt = now;
    CompletableFuture<KeySnapshot> result = new CompletableFuture<>();
    inflight = result;
    CompletableFuture<KeySnapshot> load;
    try {
      load = source.load();
    } catch (RuntimeException e) {
      load = CompletableFuture.failedFuture(e);
    }
    // Completing `result` happens outside the lock: dependants (signature checks) must not run holding it.
    load.whenComplete((snapshot, error) -> {
      KeySnapshot fallback = settle(result, snapshot, error);
      if (error == null) {
        result.complete(snapshot);
      } else if (fallback != null) {
        result.complete(fallback);
      } else {
        result.completeExceptionally(new IOException("keys from " + source.describe() + " unavailable: "
            + describe(error)));
      }
    });
    return result;
  }

  private synchronized KeySnapshot settle(CompletableFuture<KeySnapshot> result, KeySnapshot snapshot,
      Throwable error) {
    if (inflight == result) {
      inflight = null;
    }
    lastFetchFailed = error != null;
    if (error == null) {
      current = snapshot;
      fetchedAt = clock.instant();
      log.info("oauth keys loaded from {}: {} keys", source.describe(), snapshot.keys().size());
      return snapshot;
    }
    lastError = describe(error);
    log.warn("oauth key fetch from {} failed{}: {}", source.describe(),
        current == null ? "" : " (keeping the keys held)", lastError);
    return current;
  }

  /**
   * Why the latest fetch failed, if it did: the keys held may then lack a key the identity provider has added since,
   * so a token naming an unknown key cannot be judged.
   */
  synchronized Optional<String> lastFetchFailure() {
    return lastFetchFailed ? Optional.of(lastError) : Optional.empty();
  }

  private static boolean isOlder(Instant then, Duration age, Instant now) {
    return then.equals(Instant.MIN) || !then.plus(age).isAfter(now);
  }

  static String describe(Throwable t) {
    Throwable cause = t;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
