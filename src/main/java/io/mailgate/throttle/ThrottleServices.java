package io.mailgate.throttle;

import io.mailgate.config.ThrottleConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The throttle's parts that outlive a reload: the in-memory failure counters, the connection counts, and one Redis
 * client per {@code throttle_redis} URL and timeout (a reload that keeps the URL keeps the connection). Made once
 * per process; its methods run on the control thread (start-up, reload, stop), never on an event loop.
 */
public final class ThrottleServices implements AutoCloseable {

  /** Keys the in-memory store keeps at most (two buckets each: a few megabytes at worst). */
  static final int MEMORY_KEYS = 100_000;

  private final MemoryThrottleStore memory = new MemoryThrottleStore(MEMORY_KEYS);
  private final ConnectionLimits.Counters counters = new ConnectionLimits.Counters();
  private final Map<String, RedisThrottleStore> redis = new HashMap<>();

  /** A server's throttle (when on) and limits. */
  public synchronized Guards guards(ThrottleConfig config) {
    ThrottleConfig.Login login = config.login();
    Optional<LoginThrottle> throttle = Optional.empty();
    if (login.enabled()) {
      ThrottleStore store = login.redis().<ThrottleStore>map(r -> redisStore(r, login.redisTimeout())).orElse(memory);
      throttle = Optional.of(new LoginThrottle(login, store));
    }
    return new Guards(throttle, new ConnectionLimits(config.limits(), counters));
  }

  private RedisThrottleStore redisStore(ThrottleConfig.RedisTarget target, Duration timeout) {
    // A Redis client of a URL the new configuration dropped stays until exit: a handful at most (one per URL ever
    // configured), and an old configuration's last logins may still use it.
    return redis.computeIfAbsent(timeout.toMillis() + " " + target.uri(), k -> new RedisThrottleStore(target, timeout));
  }

  /** Closes the Redis clients (blocks a few seconds at most). */
  @Override
  public synchronized void close() {
    redis.values().forEach(RedisThrottleStore::close);
    redis.clear();
  }
}
