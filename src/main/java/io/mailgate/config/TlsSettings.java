package io.mailgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The TLS directives written in one {@code mail {}} or {@code server {}} block, before merging; {@code null} means
 * "not set here" (nginx's NGX_CONF_UNSET), so that each directive is inherited on its own. Lists and maps are
 * inherited as a whole: a block with any line of its own replaces the inherited value, as nginx's array slots do.
 */
final class TlsSettings {

  /**
   * A file argument: the text as written (for messages, as nginx prints it) and the resolved absolute path.
   *
   * @param written the argument as in the configuration
   * @param path absolute, resolved against the main file's folder
   */
  record ConfFile(String written, Path path) {}

  /**
   * Where a directive that turns client TLS on was written, for nginx's "no ssl_certificate is defined for the X
   * directive in FILE:LINE".
   *
   * @param directive {@code ssl}, {@code listen ... ssl} or {@code starttls}
   * @param file its file
   * @param line its line
   */
  record Origin(String directive, String file, int line) {}

  /** nginx's builtin_session_cache states; a positive size is kept in {@link #sessionCacheSize}. */
  enum Builtin {
    /** {@code off}. */
    OFF,
    /** {@code none}. */
    NONE,
    /** {@code builtin[:N]}. */
    BUILTIN,
    /** Only {@code shared:} was given (nginx's NGX_SSL_NO_BUILTIN_SCACHE). */
    SHARED_ONLY
  }

  TlsConfig.Starttls starttls;
  Origin starttlsAt;
  Boolean ssl;
  Origin sslAt;
  /** The last {@code listen ... ssl} of a server (nginx keeps the last one too). */
  Origin listenSslAt;

  List<ConfFile> certificates;
  List<ConfFile> certificateKeys;
  Path passwordFile;
  List<String> protocols;
  String ciphers;
  Boolean preferServerCiphers;
  String ecdhCurve;
  Path dhparam;
  Builtin sessionCache;
  Integer sessionCacheSize;
  /** Entries derived from the last {@code shared:NAME:SIZE}; null when none was given here. */
  Integer sharedCacheEntries;
  Duration sessionTimeout;
  Boolean sessionTickets;
  List<Path> sessionTicketKeys;
  TlsConfig.VerifyClient verifyClient;
  Integer verifyDepth;
  Path clientCertificate;
  Path trustedCertificate;
  Path crl;
  Map<String, TlsConfig.CertificatePair> sniCertificates;
  List<String> confCommands;

  BackendTlsConfig.Mode proxySsl;
  Boolean proxySslVerify;
  Path proxySslTrustedCertificate;
  String proxySslName;
  ConfFile proxySslCertificate;
  ConfFile proxySslCertificateKey;
  Path proxySslPasswordFile;
  List<String> proxySslProtocols;
  Boolean proxySslSessionReuse;

  /** {@code auth_http_ssl*}: TLS towards {@code https://} auth services, the same settings as {@code proxy_ssl*}. */
  Boolean authHttpSslVerify;
  Path authHttpSslTrustedCertificate;
  String authHttpSslName;
  ConfFile authHttpSslCertificate;
  ConfFile authHttpSslCertificateKey;
  Path authHttpSslPasswordFile;
  List<String> authHttpSslProtocols;
  Boolean authHttpSslSessionReuse;
}
