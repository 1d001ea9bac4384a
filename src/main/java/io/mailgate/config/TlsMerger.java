package io.mailgate.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Merges a server's TLS directives with those of {@code mail} and the defaults of {@link TlsDefaults}, directive by
 * directive (nginx's ngx_mail_ssl_merge_conf), and checks that a server that speaks TLS has its certificates.
 */
final class TlsMerger {

  private TlsMerger() {}

  /** Whether {@code ssl on} (own or inherited) makes every listen of the server implicit TLS. */
  static boolean sslOn(ServerSettings s, ServerSettings mail) {
    return pick(s.tls.ssl, mail.tls.ssl, false);
  }

  /** The client-side settings; fails, with nginx's texts, when TLS is used without a usable certificate. */
  static TlsConfig client(ServerSettings s, ServerSettings mail) throws ConfigException {
    TlsSettings own = s.tls;
    TlsSettings up = mail.tls;
    TlsConfig.Starttls starttls = pick(own.starttls, up.starttls, TlsDefaults.CLIENT.starttls());
    TlsConfig.VerifyClient verify = pick(own.verifyClient, up.verifyClient, TlsDefaults.CLIENT.verifyClient());
    Optional<Path> clientCertificate = optional(own.clientCertificate, up.clientCertificate);
    List<TlsSettings.ConfFile> certificates = pick(own.certificates, up.certificates, null);
    List<TlsSettings.ConfFile> keys = pick(own.certificateKeys, up.certificateKeys, null);
    TlsSettings.Origin origin = origin(s, mail, starttls);
    if (origin != null) {
      checkCertificates(certificates, keys, origin);
      boolean needsCa = verify == TlsConfig.VerifyClient.ON || verify == TlsConfig.VerifyClient.OPTIONAL;
      if (needsCa && clientCertificate.isEmpty()) {
        throw new ConfigException("no ssl_client_certificate for ssl_verify_client", s.file, s.line);
      }
    } else if (certificates != null && (keys == null || keys.size() < certificates.size())) {
      throw new ConfigException("no \"ssl_certificate_key\" is defined for certificate \""
          + last(certificates) + "\"", s.file, s.line);
    }
    TlsConfig d = TlsDefaults.CLIENT;
    return new TlsConfig(
        starttls,
        pairs(certificates, keys),
        optional(own.passwordFile, up.passwordFile),
        pick(own.protocols, up.protocols, d.protocols()),
        pick(own.ciphers, up.ciphers, d.ciphers()),
        pick(own.preferServerCiphers, up.preferServerCiphers, d.preferServerCiphers()),
        pick(own.ecdhCurve, up.ecdhCurve, d.ecdhCurve()),
        optional(own.dhparam, up.dhparam),
        sessionCache(own, up),
        pick(own.sessionTimeout, up.sessionTimeout, d.sessionTimeout()),
        pick(own.sessionTickets, up.sessionTickets, d.sessionTickets()),
        pick(own.sessionTicketKeys, up.sessionTicketKeys, d.sessionTicketKeys()),
        verify,
        pick(own.verifyDepth, up.verifyDepth, d.verifyDepth()),
        clientCertificate,
        optional(own.trustedCertificate, up.trustedCertificate),
        optional(own.crl, up.crl),
        pick(own.sniCertificates, up.sniCertificates, d.sniCertificates()),
        pick(own.confCommands, up.confCommands, d.confCommands()));
  }

  /** The backend side; a client certificate needs its key and the other way round. */
  static BackendTlsConfig backend(ServerSettings s, ServerSettings mail) throws ConfigException {
    TlsSettings own = s.tls;
    TlsSettings up = mail.tls;
    BackendTlsConfig d = TlsDefaults.BACKEND;
    TlsSettings.ConfFile cert = pick(own.proxySslCertificate, up.proxySslCertificate, null);
    TlsSettings.ConfFile key = pick(own.proxySslCertificateKey, up.proxySslCertificateKey, null);
    if (cert != null && key == null) {
      throw new ConfigException("no \"proxy_ssl_certificate_key\" is defined for certificate \""
          + cert.written() + "\"", s.file, s.line);
    }
    if (key != null && cert == null) {
      throw new ConfigException("no \"proxy_ssl_certificate\" is defined for key \"" + key.written() + "\"",
          s.file, s.line);
    }
    Optional<TlsConfig.CertificatePair> pair = cert == null
        ? Optional.empty() : Optional.of(new TlsConfig.CertificatePair(cert.path(), key.path()));
    return new BackendTlsConfig(
        pick(own.proxySsl, up.proxySsl, d.mode()),
        pick(own.proxySslVerify, up.proxySslVerify, d.verify()),
        optional(own.proxySslTrustedCertificate, up.proxySslTrustedCertificate),
        Optional.ofNullable(pick(own.proxySslName, up.proxySslName, null)),
        pair,
        optional(own.proxySslPasswordFile, up.proxySslPasswordFile),
        pick(own.proxySslProtocols, up.proxySslProtocols, d.protocols()),
        pick(own.proxySslSessionReuse, up.proxySslSessionReuse, d.sessionReuse()));
  }

  /** TLS towards {@code https://} auth services; a client certificate needs its key and the other way round. */
  static BackendTlsConfig authHttp(ServerSettings s, ServerSettings mail) throws ConfigException {
    TlsSettings own = s.tls;
    TlsSettings up = mail.tls;
    BackendTlsConfig d = TlsDefaults.AUTH_HTTP;
    TlsSettings.ConfFile cert = pick(own.authHttpSslCertificate, up.authHttpSslCertificate, null);
    TlsSettings.ConfFile key = pick(own.authHttpSslCertificateKey, up.authHttpSslCertificateKey, null);
    if (cert != null && key == null) {
      throw new ConfigException("no \"auth_http_ssl_certificate_key\" is defined for certificate \""
          + cert.written() + "\"", s.file, s.line);
    }
    if (key != null && cert == null) {
      throw new ConfigException("no \"auth_http_ssl_certificate\" is defined for key \"" + key.written() + "\"",
          s.file, s.line);
    }
    Optional<TlsConfig.CertificatePair> pair = cert == null
        ? Optional.empty() : Optional.of(new TlsConfig.CertificatePair(cert.path(), key.path()));
    return new BackendTlsConfig(
        d.mode(),
        pick(own.authHttpSslVerify, up.authHttpSslVerify, d.verify()),
        optional(own.authHttpSslTrustedCertificate, up.authHttpSslTrustedCertificate),
        Optional.ofNullable(pick(own.authHttpSslName, up.authHttpSslName, null)),
        pair,
        optional(own.authHttpSslPasswordFile, up.authHttpSslPasswordFile),
        pick(own.authHttpSslProtocols, up.authHttpSslProtocols, d.protocols()),
        pick(own.authHttpSslSessionReuse, up.authHttpSslSessionReuse, d.sessionReuse()));
  }

  /**
   * The directive that makes the server speak TLS, in nginx's order ({@code ssl}, then {@code listen ... ssl}, then
   * {@code starttls}); null when it never does.
   */
  private static TlsSettings.Origin origin(ServerSettings s, ServerSettings mail, TlsConfig.Starttls starttls) {
    if (sslOn(s, mail)) {
      return s.tls.ssl != null ? s.tls.sslAt : mail.tls.sslAt;
    }
    if (s.tls.listenSslAt != null) {
      return s.tls.listenSslAt;
    }
    if (starttls != TlsConfig.Starttls.OFF) {
      return s.tls.starttls != null ? s.tls.starttlsAt : mail.tls.starttlsAt;
    }
    return null;
  }

  private static void checkCertificates(
      List<TlsSettings.ConfFile> certificates, List<TlsSettings.ConfFile> keys, TlsSettings.Origin origin)
      throws ConfigException {
    String mode = "the \"" + origin.directive() + "\" directive";
    if (certificates == null) {
      throw new ConfigException("no \"ssl_certificate\" is defined for " + mode, origin.file(), origin.line());
    }
    if (keys == null) {
      throw new ConfigException("no \"ssl_certificate_key\" is defined for " + mode, origin.file(), origin.line());
    }
    if (keys.size() < certificates.size()) {
      throw new ConfigException("no \"ssl_certificate_key\" is defined for certificate \"" + last(certificates)
          + "\" and " + mode, origin.file(), origin.line());
    }
  }

  private static String last(List<TlsSettings.ConfFile> files) {
    return files.get(files.size() - 1).written();
  }

  /** Certificates and keys pair by order; keys beyond the last certificate are unused, as in nginx. */
  private static List<TlsConfig.CertificatePair> pairs(
      List<TlsSettings.ConfFile> certificates, List<TlsSettings.ConfFile> keys) {
    List<TlsConfig.CertificatePair> out = new ArrayList<>();
    if (certificates == null || keys == null) {
      return out;
    }
    for (int i = 0; i < certificates.size() && i < keys.size(); i++) {
      out.add(new TlsConfig.CertificatePair(certificates.get(i).path(), keys.get(i).path()));
    }
    return out;
  }

  /**
   * nginx merges the builtin part and the shared zone of {@code ssl_session_cache} separately. In one process a shared
   * zone is just a cache, so it becomes a builtin one sized from the zone; with both, the larger size wins.
   */
  private static TlsConfig.SessionCache sessionCache(TlsSettings own, TlsSettings up) {
    TlsSettings builtinFrom = own.sessionCache != null ? own : up;
    Integer shared = pick(own.sharedCacheEntries, up.sharedCacheEntries, null);
    TlsSettings.Builtin builtin = builtinFrom.sessionCache;
    if (builtin == null) {
      return TlsDefaults.CLIENT.sessionCache();
    }
    switch (builtin) {
      case OFF:
        return new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.OFF, OptionalInt.empty());
      case NONE:
        return new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.NONE, OptionalInt.empty());
      case BUILTIN:
        int size = Math.max(builtinFrom.sessionCacheSize, shared == null ? 0 : shared);
        return new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.BUILTIN, OptionalInt.of(size));
      case SHARED_ONLY:
      default:
        int entries = shared == null ? TlsDirectives.DEFAULT_BUILTIN_CACHE : shared;
        return new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.BUILTIN, OptionalInt.of(entries));
    }
  }

  private static Optional<Path> optional(Path own, Path inherited) {
    return Optional.ofNullable(pick(own, inherited, null));
  }

  private static <T> T pick(T own, T inherited, T fallback) {
    if (own != null) {
      return own;
    }
    return inherited != null ? inherited : fallback;
  }}
