package io.mailgate.throttle;

import io.mailgate.config.ThrottleConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The throttle's parts that outlive a reload: the in-memory failure counters, the connection counts, and one Redis
 * client per {@code throttle_redis} URL and timeout. Each configuration takes a {@link Lease}; a Redis client lives as
 * long as a configuration that uses it, so a reload that keeps the URL keeps the connection, and one that drops it
 * closes the old client once the old configuration's last login is over. Never used on an event loop.
 */
public final class ThrottleServices implements AutoCloseable {

  /** Keys the in-memory store keeps at most (two buckets each: a few megabytes at worst). */
  static final int MEMORY_KEYS = 100_000;

  private final MemoryThrottleStore memory = new MemoryThrottleStore(MEMORY_KEYS);
  private final ConnectionLimits.Counters counters = new ConnectionLimits.Counters();
  /** Guarded by {@code this}. */
  private final Map<String, Shared> redis = new HashMap<>();

  /** A Redis client and how many live configurations use it. */
  private static final class Shared {
    final RedisThrottleStore store;
    int users;

    Shared(RedisThrottleStore store) {
      this.store = store;
    }
  }

  /** A new configuration's hold on the shared parts; closed when that configuration closes. */
  public Lease lease() {
    return new Lease();
  }

  /** What one configuration uses. */
  public final class Lease implements AutoCloseable {

    private final Set<String> held = new HashSet<>();

    private Lease() {}

    /** A server's throttle (when on) and limits. */
    public Guards guards(ThrottleConfig config) {
      ThrottleConfig.Login login = config.login();
      Optional<LoginThrottle> throttle = Optional.empty();
      if (login.enabled()) {
        ThrottleStore store = login.redis().<ThrottleStore>map(r -> redisStore(r, login.redisTimeout()))
            .orElse(memory);
        throttle = Optional.of(new LoginThrottle(login, store));
      }
      return new Guards(throttle, new ConnectionLimits(config.limits(), counters));
    }

    private RedisThrottleStore redisStore(ThrottleConfig.RedisTarget target, Duration timeout) {
      String key = timeout.toMillis() + " " + target.uri();
      synchronized (ThrottleServices.this) {
        Shared shared = redis.computeIfAbsent(key, k -> new Shared(new RedisThrottleStore(target, timeout)));
        if (held.add(key)) {
          shared.users++;
        }
        return shared.store;
      }
    }

    /** Lets go of the Redis clients; closes those no other configuration uses (blocks a few seconds at most). */
    @Override
    public void close() {
      List<RedisThrottleStore> unused = new ArrayList<>();
      synchronized (ThrottleServices.this) {
        for (String key : held) {
          Shared shared = redis.get(key);
          if (shared != null && --shared.users == 0) {
            redis.remove(key);
            unused.add(shared.store);
          }
        }
        held.clear();
      }
      unused.forEach(RedisThrottleStore::close);
    }
  }

  /** How many Redis clients are open (tests). */
  synchronized int redisClients() {
    return redis.size();
  }

  /** Closes every Redis client (mailgate stops). */
  @Override
  public void close() {
    List<RedisThrottleStore> all;
    synchronized (this) {
      all = redis.values().stream().map(s -> s.store).toList();
      redis.clear();
    }
    all.forEach(RedisThrottleStore::close);
  }
}
