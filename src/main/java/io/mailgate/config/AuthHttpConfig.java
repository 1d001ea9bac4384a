package io.mailgate.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code auth_http} and its companions: one auth service (nginx) or several (mailgate), tried in {@link Balance}
 * order, a failed one skipped for {@code downTime}.
 *
 * @param services the {@code auth_http} lines of the block, in order (a server's own lines replace those of
 *     {@code mail})
 * @param balance {@code auth_http_balance first|round_robin} (default first)
 * @param downTime {@code auth_http_down_time} (default {@link #DEFAULT_DOWN_TIME}): how long a failed service is
 *     skipped (with one service only, it never is: there is nothing to skip to, as nginx)
 * @param headers {@code auth_http_header} lines, appended verbatim in order
 * @param passClientCert {@code auth_http_pass_client_cert}
 * @param keepalive {@code auth_http_keepalive} (mailgate only; default {@value #DEFAULT_KEEPALIVE}): idle connections
 *     to each auth service kept per event loop for the next requests; 0 opens one connection per request, as nginx
 * @param tls {@code auth_http_ssl*}: how {@code https://} services are verified (its mode is unused)
 */
public record AuthHttpConfig(
    List<AuthHttpService> services,
    Balance balance,
    Duration downTime,
    List<HttpHeader> headers,
    boolean passClientCert,
    int keepalive,
    BackendTlsConfig tls) {

  /**
   * Enough that a login storm of a few hundred concurrent clients reuses its connections instead of opening and
   * closing some for every burst (16 let about one login in ten at concurrency 50 open a new one; bench/README.md).
   * The pool never holds more connections than there were simultaneous requests, and idle ones close after 30 s.
   */
  public static final int DEFAULT_KEEPALIVE = 256;

  /** {@code auth_http_idle_timeout}'s default. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** {@code auth_http_down_time}'s default: nginx's {@code fail_timeout} for upstream servers. */
  public static final Duration DEFAULT_DOWN_TIME = Duration.ofSeconds(10);

  public AuthHttpConfig {
    services = List.copyOf(services);
    headers = List.copyOf(headers);
    if (services.isEmpty()) {
      throw new IllegalArgumentException("no auth service");
    }
  }

  /** One plain-HTTP service, nginx's form; TLS settings at their defaults. */
  public static AuthHttpConfig single(AuthHttpService service, List<HttpHeader> headers, boolean passClientCert,
      int keepalive) {
    return new AuthHttpConfig(List.of(service), Balance.FIRST, DEFAULT_DOWN_TIME, headers, passClientCert, keepalive,
        TlsDefaults.AUTH_HTTP);
  }

  /** The first (with one {@code auth_http} line, the only) service. */
  public AuthHttpService first() {
    return services.get(0);
  }

  /** Whether any service is {@code https://}. */
  public boolean usesTls() {
    return services.stream().anyMatch(AuthHttpService::https);
  }

  /** One {@code auth_http_header name value;}. */
  public record HttpHeader(String name, String value) {}

  /** {@code auth_http_balance}: the order in which a login tries the services that are up. */
  public enum Balance {
    /** In the order written: the first one gets every login while it is up. */
    FIRST,
    /** Each login starts at the next service, spreading the load. */
    ROUND_ROBIN
  }
}
