package io.mailgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The client-side TLS settings of a server (nginx's ngx_mail_ssl_module, same directives and defaults), inherited from
 * {@code mail} into {@code server}. Paths are absolute (resolved against the main config file's folder, as nginx).
 *
 * @param starttls {@code starttls off|on|only} (default off)
 * @param certificates {@code ssl_certificate}/{@code ssl_certificate_key} pairs, in order (several: e.g. RSA and
 *     ECDSA, chosen by what the client supports); empty when none is configured
 * @param passwordFile {@code ssl_password_file}: passphrases for encrypted keys, one per line, tried in order
 * @param protocols {@code ssl_protocols} (default {@code TLSv1.2 TLSv1.3}; mailgate's secure default)
 * @param ciphers {@code ssl_ciphers} in OpenSSL syntax (default {@code HIGH:!aNULL:!MD5})
 * @param preferServerCiphers {@code ssl_prefer_server_ciphers} (default off)
 * @param ecdhCurve {@code ssl_ecdh_curve} (default {@code auto})
 * @param dhparam {@code ssl_dhparam}: accepted with a warning (BoringSSL has no DHE)
 * @param sessionCache {@code ssl_session_cache} (default {@code none})
 * @param sessionTimeout {@code ssl_session_timeout} (default 5m)
 * @param sessionTickets {@code ssl_session_tickets} (default on)
 * @param sessionTicketKeys {@code ssl_session_ticket_key} files (48 or 80 bytes each), first one encrypts
 * @param verifyClient {@code ssl_verify_client} (default off)
 * @param verifyDepth {@code ssl_verify_depth} (default 1)
 * @param clientCertificate {@code ssl_client_certificate}: trusted CAs, also named in the certificate request
 * @param trustedCertificate {@code ssl_trusted_certificate}: trusted CAs not named in the request
 * @param crl {@code ssl_crl}
 * @param sniCertificates {@code ssl_sni_certificate NAME CERT KEY} (mailgate's own): the pair served when the client
 *     asks for NAME by SNI ({@code *.example.com} wildcards allowed); keys in lower case
 * @param confCommands {@code ssl_conf_command NAME VALUE} lines; non-empty means start-up must refuse (BoringSSL has
 *     no SSL_CONF)
 */
public record TlsConfig(
    Starttls starttls,
    List<CertificatePair> certificates,
    Optional<Path> passwordFile,
    List<String> protocols,
    String ciphers,
    boolean preferServerCiphers,
    String ecdhCurve,
    Optional<Path> dhparam,
    SessionCache sessionCache,
    Duration sessionTimeout,
    boolean sessionTickets,
    List<Path> sessionTicketKeys,
    VerifyClient verifyClient,
    int verifyDepth,
    Optional<Path> clientCertificate,
    Optional<Path> trustedCertificate,
    Optional<Path> crl,
    Map<String, CertificatePair> sniCertificates,
    List<String> confCommands) {

  public TlsConfig {
    certificates = List.copyOf(certificates);
    protocols = List.copyOf(protocols);
    sessionTicketKeys = List.copyOf(sessionTicketKeys);
    sniCertificates = Map.copyOf(sniCertificates);
    confCommands = List.copyOf(confCommands);
  }

  /** {@code starttls}. */
  public enum Starttls {
    /** STARTTLS/STLS is not offered. */
    OFF,
    /** Offered; authentication is allowed before it. */
    ON,
    /** Offered and required before any authentication ({@code LOGINDISABLED}, no AUTH before TLS). */
    ONLY
  }

  /** {@code ssl_verify_client}. */
  public enum VerifyClient {
    /** No certificate is requested. */
    OFF,
    /** Required and verified; a missing or bad one gets the protocol's "no required certificate" reply and a close. */
    ON,
    /** Requested and verified when sent; a bad one gets the "certificate error" reply and a close. */
    OPTIONAL,
    /** Requested but not verified against the CAs; the result goes to the auth service. */
    OPTIONAL_NO_CA
  }

  /**
   * One certificate chain and its private key (PEM files).
   *
   * @param certificate the chain, leaf first
   * @param key the private key, possibly encrypted (see {@code passwordFile})
   */
  public record CertificatePair(Path certificate, Path key) {}

  /**
   * {@code ssl_session_cache off | none | [builtin[:size]] [shared:name:size]}. In one process {@code shared} behaves as
   * {@code builtin}.
   *
   * @param mode off (resumption refused), none (nginx's default: no server cache, clients may still try), builtin
   * @param size entries for builtin ({@code builtin:1000}; default 20480), or derived from the shared zone size
   */
  public record SessionCache(Mode mode, OptionalInt size) {
    /** How sessions are cached. */
    public enum Mode {
      /** Session reuse is refused. */
      OFF,
      /** No cache (nginx's default); tickets may still resume. */
      NONE,
      /** An in-process cache. */
      BUILTIN
    }
  }

  /** Whether any client TLS is set up at all (a listener with {@code ssl}, or starttls on/only, needs it). */
  public boolean hasCertificates() {
    return !certificates.isEmpty();
  }
}
