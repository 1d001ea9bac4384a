package io.mailgate.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the login throttle ({@code login_throttle*}, {@code throttle_redis*}) and connection limit ({@code limit_*})
 * directives of {@code mail} and {@code server}, and merges them (a server inherits what it does not set).
 */
final class ThrottleDirectives {

  /** Single-valued directives this class reads, for the directive table. */
  static final List<String> SINGLE = List.of("login_throttle", "login_throttle_ip", "login_throttle_user",
      "login_throttle_window", "login_throttle_delay", "login_throttle_max_delay", "throttle_redis",
      "throttle_redis_failure", "throttle_redis_timeout", "limit_preauth_per_client", "limit_preauth_per_listener",
      "limit_sessions_per_client");
  /** Repeatable one-argument directives. */
  static final List<String> REPEATABLE = List.of("login_throttle_exempt");

  /** One block's settings; {@code null} is "not set here". */
  static final class Settings {
    Boolean enabled;
    Integer ipFailures;
    Integer userFailures;
    Duration window;
    Duration delay;
    Duration maxDelay;
    List<AddressRange> exempt;
    Optional<ThrottleConfig.RedisTarget> redis;
    Boolean failOpen;
    Duration redisTimeout;
    Integer preauthPerClient;
    Integer preauthPerListener;
    Integer sessionsPerClient;
  }

  private ThrottleDirectives() {}

  /** Applies {@code d} when it is one of ours; false otherwise. */
  static boolean apply(Directive d, Settings s) throws ConfigException {
    switch (d.name()) {
      case "login_throttle" -> s.enabled = Values.flag(d);
      case "login_throttle_ip" -> s.ipFailures = Values.number(d, 0);
      case "login_throttle_user" -> s.userFailures = Values.number(d, 0);
      case "login_throttle_window" -> s.window = positive(d);
      case "login_throttle_delay" -> s.delay = Values.time(d);
      case "login_throttle_max_delay" -> s.maxDelay = Values.time(d);
      case "login_throttle_exempt" -> {
        if (s.exempt == null) {
          s.exempt = new ArrayList<>();
        }
        s.exempt.add(AddressRange.parse(d, d.arg(0)));
      }
      case "throttle_redis" -> s.redis = d.arg(0).equals("off") ? Optional.empty() : Optional.of(redis(d));
      case "throttle_redis_failure" -> s.failOpen = failure(d);
      case "throttle_redis_timeout" -> s.redisTimeout = positive(d);
      case "limit_preauth_per_client" -> s.preauthPerClient = Values.number(d, 0);
      case "limit_preauth_per_listener" -> s.preauthPerListener = Values.number(d, 0);
      case "limit_sessions_per_client" -> s.sessionsPerClient = Values.number(d, 0);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The server's settings over those of {@code mail}, over the defaults. */
  static ThrottleConfig merge(Settings s, Settings mail, String file, int line) throws ConfigException {
    ThrottleConfig.Login off = ThrottleConfig.Login.OFF;
    ThrottleConfig.Login login = new ThrottleConfig.Login(
        pick(s.enabled, mail.enabled, off.enabled()),
        pick(s.ipFailures, mail.ipFailures, off.ipFailures()),
        pick(s.userFailures, mail.userFailures, off.userFailures()),
        pick(s.window, mail.window, off.window()),
        pick(s.delay, mail.delay, off.delay()),
        pick(s.maxDelay, mail.maxDelay, off.maxDelay()),
        pick(s.exempt, mail.exempt, List.of()),
        pick(s.redis, mail.redis, Optional.empty()),
        pick(s.failOpen, mail.failOpen, off.failOpen()),
        pick(s.redisTimeout, mail.redisTimeout, off.redisTimeout()));
    if (login.maxDelay().compareTo(login.delay()) < 0) {
      throw new ConfigException("\"login_throttle_max_delay\" is less than \"login_throttle_delay\" for server",
          file, line);
    }
    ThrottleConfig.Limits limits = new ThrottleConfig.Limits(
        pick(s.preauthPerClient, mail.preauthPerClient, 0),
        pick(s.preauthPerListener, mail.preauthPerListener, 0),
        pick(s.sessionsPerClient, mail.sessionsPerClient, 0));
    return new ThrottleConfig(login, limits);
  }

  private static Duration positive(Directive d) throws ConfigException {
    Duration t = Values.time(d);
    if (t.isZero()) {
      throw Values.invalid(d, d.arg(0));
    }
    return t;
  }

  private static boolean failure(Directive d) throws ConfigException {
    return switch (d.arg(0)) {
      case "open" -> true;
      case "closed" -> false;
      default -> throw d.error("invalid value \"" + d.arg(0) + "\" in \"" + d.name()
          + "\" directive, it must be \"open\" or \"closed\"");
    };
  }

  /** {@code redis://[:password@]host[:port][/db]}; the host is resolved when connecting, never here. */
  private static ThrottleConfig.RedisTarget redis(Directive d) throws ConfigException {
    String text = d.arg(0);
    // Never the argument itself in the message: it may hold a password.
    ConfigException invalid = d.error("invalid Redis URL in \"" + d.name() + "\" directive");
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw invalid;
    }
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw invalid;
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!path.isEmpty() && !path.equals("/") && !path.substring(1).chars().allMatch(Character::isDigit)) {
      throw invalid;
    }
    int port = uri.getPort() < 0 ? 6379 : uri.getPort();
    return new ThrottleConfig.RedisTarget(text, uri.getHost(), port);
  }

  private static <T> T pick(T own, T inherited, T fallback) {
    if (own != null) {
      return own;
    }
    return inherited != null ? inherited : fallback;
  }
}
