package io.mailgate.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * TLS towards the backends (mailgate's own directives; nginx's mail module has none), per {@code server}, inherited
 * from {@code mail}.
 *
 * @param mode {@code proxy_ssl off|on|starttls} (default off): cleartext, implicit TLS, or STARTTLS/STLS upgrade
 * @param verify {@code proxy_ssl_verify on|off} (default on): check the chain and the name; nothing per login can
 *     turn it off
 * @param trustedCertificate {@code proxy_ssl_trusted_certificate}: CA bundle (default: the JDK's trust store)
 * @param name {@code proxy_ssl_name}: the name expected in the certificate and sent by SNI (default: the backend
 *     address, or the {@code Auth-Proxy-SSL-Name} response header when the auth service sends one)
 * @param certificate {@code proxy_ssl_certificate}/{@code proxy_ssl_certificate_key}: mutual TLS towards the backend
 * @param passwordFile {@code proxy_ssl_password_file} for an encrypted client key
 * @param protocols {@code proxy_ssl_protocols} (default {@code TLSv1.2 TLSv1.3})
 * @param sessionReuse {@code proxy_ssl_session_reuse on|off} (default on)
 */
public record BackendTlsConfig(
    Mode mode,
    boolean verify,
    Optional<Path> trustedCertificate,
    Optional<String> name,
    Optional<TlsConfig.CertificatePair> certificate,
    Optional<Path> passwordFile,
    List<String> protocols,
    boolean sessionReuse) {

  public BackendTlsConfig {
    protocols = List.copyOf(protocols);
  }

  /** {@code proxy_ssl}. */
  public enum Mode {
    /** Cleartext to the backend (unless the auth service requires TLS for a login: then STARTTLS). */
    OFF,
    /** Implicit TLS (IMAPS, POP3S, SMTPS ports). */
    ON,
    /** Cleartext connect, then STARTTLS/STLS before any credential is sent. */
    STARTTLS
  }
}
