package io.mailgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A server's login throttle and connection limits, merged from {@code mail} into {@code server}.
 *
 * @param login {@code login_throttle*} and {@code throttle_redis*}
 * @param limits {@code limit_*}
 */
public record ThrottleConfig(Login login, Limits limits) {

  /** Nothing throttled, nothing limited: nginx's behaviour. */
  public static final ThrottleConfig NONE = new ThrottleConfig(Login.OFF, Limits.UNLIMITED);

  /**
   * The login throttle.
   *
   * @param enabled {@code login_throttle} (default off)
   * @param ipFailures {@code login_throttle_ip} (default 10; 0 counts no addresses): failed logins from one client
   *     address within the window before further attempts are delayed and refused
   * @param userFailures {@code login_throttle_user} (default 5; 0 counts no users): the same per user name
   * @param window {@code login_throttle_window} (default 5m): the sliding window failures are counted over
   * @param delay {@code login_throttle_delay} (default 1s): the delay of the first throttled attempt; it doubles with
   *     each further failure over the threshold
   * @param maxDelay {@code login_throttle_max_delay} (default 30s): the delay's cap
   * @param exempt {@code login_throttle_exempt}: client addresses never throttled (the block's own list)
   * @param redis {@code throttle_redis} (default off: counters in this process's memory)
   * @param failOpen {@code throttle_redis_failure open|closed} (default open): what a login gets when Redis fails
   * @param redisTimeout {@code throttle_redis_timeout} (default 500ms): every Redis command's timeout
   */
  public record Login(
      boolean enabled,
      int ipFailures,
      int userFailures,
      Duration window,
      Duration delay,
      Duration maxDelay,
      List<AddressRange> exempt,
      Optional<RedisTarget> redis,
      boolean failOpen,
      Duration redisTimeout) {

    public static final Login OFF = new Login(false, 10, 5, Duration.ofMinutes(5), Duration.ofSeconds(1),
        Duration.ofSeconds(30), List.of(), Optional.empty(), true, Duration.ofMillis(500));

    public Login {
      exempt = List.copyOf(exempt);
    }
  }

  /**
   * A Redis server for shared throttle counters.
   *
   * @param uri the directive's argument ({@code redis://[:password@]host:port[/db]}); may hold a password: never log it
   * @param host the host, for log lines
   * @param port the port
   */
  public record RedisTarget(String uri, String host, int port) {
    /** {@code host:port}, for log lines: never the URI, which may carry a password. */
    public String describe() {
      return host + ":" + port;
    }

    @Override
    public String toString() {
      return "RedisTarget[" + describe() + "]";
    }
  }

  /**
   * Connection limits; 0 is unlimited (the default of each).
   *
   * @param preauthPerClient {@code limit_preauth_per_client}: sessions not (yet) logged in from one client address
   * @param preauthPerListener {@code limit_preauth_per_listener}: sessions not (yet) logged in on one listen address
   * @param sessionsPerClient {@code limit_sessions_per_client}: relaying (logged-in) sessions from one client address
   */
  public record Limits(int preauthPerClient, int preauthPerListener, int sessionsPerClient) {

    public static final Limits UNLIMITED = new Limits(0, 0, 0);

    /** Whether any limit is set. */
    public boolean any() {
      return preauthPerClient > 0 || preauthPerListener > 0 || sessionsPerClient > 0;
    }
  }
}
