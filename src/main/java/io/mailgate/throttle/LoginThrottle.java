package io.mailgate.throttle;

import io.mailgate.config.AddressRange;
import io.mailgate.config.ThrottleConfig;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts failed logins per client address and per user name over a sliding window, and tells a login whether it may
 * ask the auth service. Past a threshold each further attempt is refused without asking, after a delay that doubles
 * with every failure over the threshold (up to a cap); the delay itself is the caller's timer on its event loop. A
 * successful login clears its user's counter (not the address's: an attacker with one valid account must not wipe
 * the count of its guesses). One per server; the store behind it is shared.
 */
public final class LoginThrottle {

  private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

  private final ThrottleConfig.Login config;
  private final ThrottleStore store;
  private final LongSupplier clock;
  private final long windowMillis;
  /** One line per 10 s (per server) about a failing store, whatever the login rate. */
  private final RateLimitedLog storeErrors = new RateLimitedLog(TimeUnit.SECONDS.toNanos(10));

  public LoginThrottle(ThrottleConfig.Login config, ThrottleStore store) {
    this(config, store, System::currentTimeMillis);
  }

  LoginThrottle(ThrottleConfig.Login config, ThrottleStore store, LongSupplier clock) {
    this.config = config;
    this.store = store;
    this.clock = clock;
    this.windowMillis = config.window().toMillis();
  }

  /** The store the counters are in (tests). */
  ThrottleStore store() {
    return store;
  }

  /** Whether {@code client} is in a {@code login_throttle_exempt} range. */
  public boolean exempt(SocketAddress client) {
    for (AddressRange range : config.exempt()) {
      if (range.matches(client)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Decides about one login attempt. Never completes exceptionally; may complete on another thread.
   *
   * @param client the client's address (the real one behind a trusted PROXY header)
   * @param clientIp its text ({@code Client-IP})
   * @param user the login name the client sent; empty for none
   */
  public CompletionStage<Verdict> check(SocketAddress client, String clientIp, String user) {
    if (exempt(client)) {
      return CompletableFuture.completedFuture(Verdict.ALLOW_EXEMPT);
    }
    List<String> keys = keys(clientIp, user);
    List<Integer> limits = limits(user);
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(Verdict.ALLOW);
    }
    long now = clock.getAsLong();
    long bucket = SlidingWindow.bucket(now, windowMillis);
    return store.counts(keys, windowMillis, bucket).handle((counts, error) -> {
      if (error != null) {
        storeFailed("read", error);
        return config.failOpen() ? Verdict.ALLOW_STORE_ERROR : Verdict.REFUSE_STORE_ERROR;
      }
      long excess = -1;
      for (int i = 0; i < keys.size(); i++) {
        long failures = SlidingWindow.estimate(counts[i * 2], counts[i * 2 + 1], windowMillis, now);
        excess = Math.max(excess, failures - limits.get(i));
      }
      return excess < 0 ? Verdict.ALLOW : Verdict.throttled(Backoff.delay(excess, config.delay(), config.maxDelay()));
    });
  }

  /** A login attempt failed (the auth service said no, or the throttle refused it): counts it. */
  public void failed(SocketAddress client, String clientIp, String user) {
    if (exempt(client)) {
      return;
    }
    List<String> keys = keys(clientIp, user);
    if (!keys.isEmpty()) {
      store.addFailure(keys, windowMillis, SlidingWindow.bucket(clock.getAsLong(), windowMillis))
          .whenComplete((v, error) -> {
            if (error != null) {
              storeFailed("update", error);
            }
          });
    }
  }

  /** A login succeeded: forgets the user's failures. */
  public void succeeded(String user) {
    if (config.userFailures() > 0 && !user.isEmpty()) {
      store.clear(ThrottleKeys.user(user), windowMillis, SlidingWindow.bucket(clock.getAsLong(), windowMillis))
          .whenComplete((v, error) -> {
            if (error != null) {
              storeFailed("update", error);
            }
          });
    }
  }

  /** The counters that apply: the address's and the user's, unless their threshold is 0. */
  private List<String> keys(String clientIp, String user) {
    List<String> keys = new ArrayList<>(2);
    if (config.ipFailures() > 0) {
      keys.add(ThrottleKeys.address(clientIp));
    }
    if (config.userFailures() > 0 && !user.isEmpty()) {
      keys.add(ThrottleKeys.user(user));
    }
    return keys;
  }

  /** The thresholds of {@link #keys}, in the same order. */
  private List<Integer> limits(String user) {
    List<Integer> limits = new ArrayList<>(2);
    if (config.ipFailures() > 0) {
      limits.add(config.ipFailures());
    }
    if (config.userFailures() > 0 && !user.isEmpty()) {
      limits.add(config.userFailures());
    }
    return limits;
  }

  private void storeFailed(String what, Throwable error) {
    long held = storeErrors.tryAcquire();
    if (held >= 0) {
      Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
          ? error.getCause() : error;
      LOG.error("login throttle store {} failed ({}: {}), logins are {}{}", store.describe(),
          what, cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()),
          config.failOpen() ? "allowed (throttle_redis_failure open)" : "refused (throttle_redis_failure closed)",
          held > 0 ? ", " + held + " similar errors not logged" : "");
    }
  }
}
