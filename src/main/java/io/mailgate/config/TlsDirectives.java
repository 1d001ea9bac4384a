package io.mailgate.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the client TLS directives (nginx's ngx_mail_ssl_module, plus mailgate's {@code ssl_sni_certificate}) and the
 * backend ones ({@code proxy_ssl*}, mailgate's own) and the auth service ones ({@code auth_http_ssl*}) of one
 * block into {@link TlsSettings}. Files are only named here:
 * they are resolved against the main file's folder (nginx's conf prefix) and loaded at start-up.
 */
final class TlsDirectives {

  /** nginx's ssl_protocols words, in nginx's spelling; matched case-insensitively as nginx's bitmask slot does. */
  private static final List<String> PROTOCOLS = List.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  /** OpenSSL's default size of the builtin session cache (SSL_SESSION_CACHE_MAX_SIZE_DEFAULT), as nginx leaves it. */
  static final int DEFAULT_BUILTIN_CACHE = 20480;

  /** nginx's own estimate: one megabyte of shared cache holds about 4000 sessions, so ~256 bytes per session. */
  private static final int BYTES_PER_SESSION = 256;

  /** nginx refuses a shared zone smaller than 8 pages (4 KiB each on the platforms it runs on). */
  private static final int MIN_SHARED_CACHE = 8 * 4096;

  private final Path confDir;
  private final Notices notices;

  /** Resolves file arguments against {@code confDir} (absolute) and reports deprecations to {@code notices}. */
  TlsDirectives(Path confDir, Notices notices) {
    this.confDir = confDir;
    this.notices = notices;
  }

  /** Applies {@code d} when it is a TLS directive; false when it is not one (the caller handles it). */
  boolean apply(Directive d, TlsSettings t) throws ConfigException {
    if (d.name().startsWith("proxy_ssl")) {
      return applyBackend(d, t);
    }
    if (d.name().startsWith("auth_http_ssl")) {
      return applyAuthHttp(d, t);
    }
    switch (d.name()) {
      case "starttls":
        starttls(d, t);
        return true;
      case "ssl":
        ssl(d, t);
        return true;
      case "ssl_certificate":
        t.certificates = add(t.certificates, confFile(d, 0));
        return true;
      case "ssl_certificate_key":
        t.certificateKeys = add(t.certificateKeys, confFile(d, 0));
        return true;
      case "ssl_password_file":
        t.passwordFile = file(d, 0);
        return true;
      case "ssl_protocols":
        t.protocols = protocols(d, t.protocols);
        return true;
      case "ssl_ciphers":
        t.ciphers = d.arg(0);
        return true;
      case "ssl_prefer_server_ciphers":
        t.preferServerCiphers = Values.flag(d);
        return true;
      case "ssl_ecdh_curve":
        t.ecdhCurve = d.arg(0);
        return true;
      case "ssl_dhparam":
        t.dhparam = file(d, 0);
        return true;
      default:
        return applySession(d, t);
    }
  }

  private boolean applySession(Directive d, TlsSettings t) throws ConfigException {
    switch (d.name()) {
      case "ssl_session_cache":
        sessionCache(d, t);
        return true;
      case "ssl_session_timeout":
        t.sessionTimeout = Times.parseSeconds(d.arg(0)).orElseThrow(() -> Values.invalid(d, d.arg(0)));
        return true;
      case "ssl_session_tickets":
        t.sessionTickets = Values.flag(d);
        return true;
      case "ssl_session_ticket_key":
        t.sessionTicketKeys = add(t.sessionTicketKeys, file(d, 0));
        return true;
      default:
        return applyVerify(d, t);
    }
  }

  private boolean applyVerify(Directive d, TlsSettings t) throws ConfigException {
    switch (d.name()) {
      case "ssl_verify_client":
        t.verifyClient = verifyClient(d);
        return true;
      case "ssl_verify_depth":
        t.verifyDepth = Values.number(d, 0);
        return true;
      case "ssl_client_certificate":
        t.clientCertificate = file(d, 0);
        return true;
      case "ssl_trusted_certificate":
        t.trustedCertificate = file(d, 0);
        return true;
      case "ssl_crl":
        t.crl = file(d, 0);
        return true;
      case "ssl_conf_command":
        t.confCommands = add(t.confCommands, d.arg(0) + " " + d.arg(1));
        return true;
      case "ssl_sni_certificate":
        sniCertificate(d, t);
        return true;
      default:
        return false;
    }
  }

  private boolean applyBackend(Directive d, TlsSettings t) throws ConfigException {
    switch (d.name()) {
      case "proxy_ssl":
        t.proxySsl = backendMode(d);
        return true;
      case "proxy_ssl_verify":
        t.proxySslVerify = Values.flag(d);
        return true;
      case "proxy_ssl_trusted_certificate":
        t.proxySslTrustedCertificate = file(d, 0);
        return true;
      case "proxy_ssl_name":
        t.proxySslName = nonEmpty(d);
        return true;
      case "proxy_ssl_certificate":
        t.proxySslCertificate = confFile(d, 0);
        return true;
      case "proxy_ssl_certificate_key":
        t.proxySslCertificateKey = confFile(d, 0);
        return true;
      case "proxy_ssl_password_file":
        t.proxySslPasswordFile = file(d, 0);
        return true;
      case "proxy_ssl_protocols":
        t.proxySslProtocols = protocols(d, t.proxySslProtocols);
        return true;
      case "proxy_ssl_session_reuse":
        t.proxySslSessionReuse = Values.flag(d);
        return true;
      default:
        return false;
    }
  }

  /** {@code auth_http_ssl*}: the {@code proxy_ssl*} settings (but the mode, which the URL's scheme gives). */
  private boolean applyAuthHttp(Directive d, TlsSettings t) throws ConfigException {
    switch (d.name()) {
      case "auth_http_ssl_verify":
        t.authHttpSslVerify = Values.flag(d);
        return true;
      case "auth_http_ssl_trusted_certificate":
        t.authHttpSslTrustedCertificate = file(d, 0);
        return true;
      case "auth_http_ssl_name":
        t.authHttpSslName = nonEmpty(d);
        return true;
      case "auth_http_ssl_certificate":
        t.authHttpSslCertificate = confFile(d, 0);
        return true;
      case "auth_http_ssl_certificate_key":
        t.authHttpSslCertificateKey = confFile(d, 0);
        return true;
      case "auth_http_ssl_password_file":
        t.authHttpSslPasswordFile = file(d, 0);
        return true;
      case "auth_http_ssl_protocols":
        t.authHttpSslProtocols = protocols(d, t.authHttpSslProtocols);
        return true;
      case "auth_http_ssl_session_reuse":
        t.authHttpSslSessionReuse = Values.flag(d);
        return true;
      default:
        return false;
    }
  }

  /** nginx refuses {@code ssl on} and {@code starttls on|only} in one block: the two modes exclude each other. */
  private static void starttls(Directive d, TlsSettings t) throws ConfigException {
    t.starttls = enumValue(d, TlsConfig.Starttls.class);
    if (t.starttls != TlsConfig.Starttls.OFF && Boolean.TRUE.equals(t.ssl)) {
      throw d.error("\"ssl\" directive conflicts with \"starttls\"");
    }
    t.starttlsAt = new TlsSettings.Origin("starttls", d.file(), d.line());
  }

  /** nginx's obsolete {@code ssl on|off}: on makes every listen of the server implicit TLS. */
  private void ssl(Directive d, TlsSettings t) throws ConfigException {
    t.ssl = Values.flag(d);
    notices.say("the \"ssl\" directive is deprecated, use the \"listen ... ssl\" directive instead");
    if (t.ssl && t.starttls != null && t.starttls != TlsConfig.Starttls.OFF) {
      throw d.error("\"starttls\" directive conflicts with \"ssl on\"");
    }
    t.sslAt = new TlsSettings.Origin("ssl", d.file(), d.line());
  }

  /**
   * {@code off | none | builtin[:N] | shared:NAME:SIZE}, one or two of them. Several lines in one block combine, as
   * in nginx; the last of off/none/builtin wins, and a shared zone alone means "no builtin part".
   */
  private static void sessionCache(Directive d, TlsSettings t) throws ConfigException {
    for (String v : d.args()) {
      if (v.equals("off")) {
        t.sessionCache = TlsSettings.Builtin.OFF;
      } else if (v.equals("none")) {
        t.sessionCache = TlsSettings.Builtin.NONE;
      } else if (v.equals("builtin")) {
        t.sessionCache = TlsSettings.Builtin.BUILTIN;
        t.sessionCacheSize = DEFAULT_BUILTIN_CACHE;
      } else if (v.startsWith("builtin:") && v.length() > 8) {
        OptionalInt n = Numbers.parse(v.substring(8));
        if (n.isEmpty()) {
          throw invalidCache(d, v);
        }
        t.sessionCache = TlsSettings.Builtin.BUILTIN;
        t.sessionCacheSize = n.getAsInt();
      } else if (v.startsWith("shared:") && v.length() > 7) {
        t.sharedCacheEntries = sharedEntries(d, v);
      } else {
        throw invalidCache(d, v);
      }
    }
    if (t.sharedCacheEntries != null && t.sessionCache == null) {
      t.sessionCache = TlsSettings.Builtin.SHARED_ONLY;
    }
  }

  private static int sharedEntries(Directive d, String v) throws ConfigException {
    String rest = v.substring(7);
    int colon = rest.indexOf(':');
    if (colon <= 0) {
      throw invalidCache(d, v);
    }
    OptionalInt size = Sizes.parse(rest.substring(colon + 1));
    if (size.isEmpty()) {
      throw invalidCache(d, v);
    }
    if (size.getAsInt() < MIN_SHARED_CACHE) {
      throw d.error("session cache \"" + v + "\" is too small");
    }
    return size.getAsInt() / BYTES_PER_SESSION;
  }

  private static ConfigException invalidCache(Directive d, String v) {
    return d.error("invalid session cache \"" + v + "\"");
  }

  private static TlsConfig.VerifyClient verifyClient(Directive d) throws ConfigException {
    return enumValue(d, TlsConfig.VerifyClient.class);
  }

  private static BackendTlsConfig.Mode backendMode(Directive d) throws ConfigException {
    return enumValue(d, BackendTlsConfig.Mode.class);
  }

  /** An nginx enum slot: the constant's name in lower case, matched case-insensitively. */
  private static <E extends Enum<E>> E enumValue(Directive d, Class<E> type) throws ConfigException {
    String v = d.arg(0);
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    throw Values.invalid(d, v);
  }

  /**
   * Appends the protocol words to those already set in this block (nginx ORs repeated lines into one bitmask), in
   * nginx's spelling; a word given twice gets nginx's warning.
   */
  private List<String> protocols(Directive d, List<String> current) throws ConfigException {
    List<String> out = current == null ? new ArrayList<>() : current;
    for (String word : d.args()) {
      Optional<String> known = PROTOCOLS.stream().filter(p -> p.equalsIgnoreCase(word)).findFirst();
      if (known.isEmpty()) {
        throw Values.invalid(d, word);
      }
      if (out.contains(known.get())) {
        notices.say("duplicate value \"" + word + "\" in " + d.file() + ":" + d.line());
      } else {
        out.add(known.get());
      }
    }
    return out;
  }

  /**
   * {@code ssl_sni_certificate NAME CERT KEY}: NAME is a host name or {@code *.domain}, compared in lower case
   * (RFC 6066 §3: host names are case-insensitive); the same name twice in one block is an error.
   */
  private void sniCertificate(Directive d, TlsSettings t) throws ConfigException {
    String name = d.arg(0).toLowerCase(Locale.ROOT);
    String base = name.startsWith("*.") ? name.substring(2) : name;
    if (base.isEmpty() || base.indexOf('*') >= 0 || base.startsWith(".") || base.endsWith(".")
        || base.contains("..")) {
      throw Values.invalid(d, d.arg(0));
    }
    if (t.sniCertificates == null) {
      t.sniCertificates = new LinkedHashMap<>();
    }
    TlsConfig.CertificatePair pair = new TlsConfig.CertificatePair(file(d, 1), file(d, 2));
    if (t.sniCertificates.putIfAbsent(name, pair) != null) {
      throw d.error("duplicate \"ssl_sni_certificate\" name \"" + name + "\"");
    }
  }

  private static String nonEmpty(Directive d) throws ConfigException {
    if (d.arg(0).isEmpty()) {
      throw Values.invalid(d, d.arg(0));
    }
    return d.arg(0);
  }

  private TlsSettings.ConfFile confFile(Directive d, int i) throws ConfigException {
    return new TlsSettings.ConfFile(d.arg(i), file(d, i));
  }

  /** A file argument resolved against the main file's folder, as nginx resolves against its conf prefix. */
  private Path file(Directive d, int i) throws ConfigException {
    if (d.arg(i).isEmpty()) {
      throw Values.invalid(d, d.arg(i));
    }
    return Values.path(d, confDir, d.arg(i));
  }

  private static <T> List<T> add(List<T> current, T value) {
    List<T> out = current == null ? new ArrayList<>() : current;
    out.add(value);
    return out;
  }
}
