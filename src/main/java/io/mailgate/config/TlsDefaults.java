package io.mailgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** nginx's defaults for {@code ssl_*} (but TLSv1.2 and TLSv1.3 only), and mailgate's for {@code proxy_ssl*} and
 * {@code auth_http_ssl*}. */
final class TlsDefaults {

  /** Secure default: no TLS 1.0/1.1. */
  static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  /** Client side with nothing configured. */
  static final TlsConfig CLIENT = new TlsConfig(
      TlsConfig.Starttls.OFF, List.of(), Optional.empty(), PROTOCOLS, "HIGH:!aNULL:!MD5", false, "auto",
      Optional.empty(), new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.NONE, OptionalInt.empty()),
      Duration.ofMinutes(5), true, List.of(), TlsConfig.VerifyClient.OFF, 1, Optional.empty(), Optional.empty(),
      Optional.empty(), Map.of(), List.of());

  /** Backend side with nothing configured: cleartext, but verifying whenever TLS is used. */
  static final BackendTlsConfig BACKEND = new BackendTlsConfig(
      BackendTlsConfig.Mode.OFF, true, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
      PROTOCOLS, true);

  /** {@code https://} auth services with nothing configured: verified against the JDK's trust store. */
  static final BackendTlsConfig AUTH_HTTP = new BackendTlsConfig(
      BackendTlsConfig.Mode.ON, true, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
      PROTOCOLS, true);

  private TlsDefaults() {}
}
