package io.mailgate.config;

import io.mailgate.sasl.Mechanism;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Binds a {@code mail {}} block and its servers. Everything is read first and merged after, as nginx does, so a
 * {@code mail}-level directive written after the {@code server} blocks still applies to them.
 */
final class MailBinder {

  private static final Set<Mechanism> IMAP_AUTH = EnumSet.of(
      Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5, Mechanism.EXTERNAL, Mechanism.XOAUTH2,
      Mechanism.OAUTHBEARER);
  private static final Set<Mechanism> POP3_AUTH = EnumSet.of(
      Mechanism.PLAIN, Mechanism.APOP, Mechanism.CRAM_MD5, Mechanism.EXTERNAL, Mechanism.XOAUTH2,
      Mechanism.OAUTHBEARER);
  private static final Set<Mechanism> SMTP_AUTH = EnumSet.of(
      Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5, Mechanism.EXTERNAL, Mechanism.XOAUTH2,
      Mechanism.OAUTHBEARER, Mechanism.NONE);

  private final Path prefix;
  private final Notices notices;
  private final TlsDirectives tls;
  private final BuiltinAuthDirectives builtinAuth;
  private final Supplier<String> hostName;
  private final Set<String> listenAddresses = new HashSet<>();
  private final List<ServerSettings> servers = new ArrayList<>();

  /**
   * A binder for one {@code mail} block.
   *
   * @param prefix the {@code -p} prefix, for {@code error_log}
   * @param confDir the main file's folder, for certificates and other TLS files (nginx's conf prefix)
   */
  MailBinder(Path prefix, Path confDir, Notices notices, Supplier<String> hostName) {
    this.prefix = prefix;
    this.notices = notices;
    this.tls = new TlsDirectives(confDir, notices);
    this.builtinAuth = new BuiltinAuthDirectives(confDir);
    this.hostName = hostName;
  }

  /** The merged servers of a {@code mail} block. */
  List<ServerConfig> bind(Directive mailBlock) throws ConfigException {
    ServerSettings mail = new ServerSettings(mailBlock.file(), mailBlock.line());
    Set<String> seen = new HashSet<>();
    for (Directive d : mailBlock.children()) {
      apply(d, Context.MAIL, mail, seen);
    }
    List<ServerConfig> out = new ArrayList<>();
    for (ServerSettings s : servers) {
      out.add(ServerMerger.merge(s, mail, hostName));
    }
    return out;
  }

  private void bindServer(Directive server) throws ConfigException {
    ServerSettings s = new ServerSettings(server.file(), server.line());
    Set<String> seen = new HashSet<>();
    for (Directive d : server.children()) {
      apply(d, Context.SERVER, s, seen);
    }
    if (s.listens.isEmpty()) {
      throw server.error("no \"listen\" is defined for server");
    }
    servers.add(s);
  }

  private void apply(Directive d, Context context, ServerSettings s, Set<String> seen) throws ConfigException {
    DirectiveSpec spec = DirectiveTable.check(d, context, seen);
    if (spec.ignored()) {
      notices.ignored(d.name());
      return;
    }
    if (tls.apply(d, s.tls) || builtinAuth.apply(d, s.builtinAuth) || ThrottleDirectives.apply(d, s.throttle)) {
      return;
    }
    switch (d.name()) {
      case "server":
        bindServer(d);
        break;
      case "listen":
        listen(d, s);
        break;
      case "protocol":
        s.protocol = protocol(d);
        break;
      case "error_log":
        ErrorLogs.parse(d, prefix, notices).ifPresent(sink -> s.errorLog = ErrorLogs.add(s.errorLog, sink));
        break;
      case "access_log":
        s.accessLog = ErrorLogs.parseAccessLog(d, prefix, notices);
        break;
      case "access_log_format":
        s.accessLogFormat = accessLogFormat(d);
        break;
      case "auth_http":
        authHttp(d, s);
        break;
      case "auth_http_header":
        if (s.authHttpHeaders == null) {
          s.authHttpHeaders = new ArrayList<>();
        }
        s.authHttpHeaders.add(new AuthHttpConfig.HttpHeader(d.arg(0), d.arg(1)));
        break;
      default:
        applySimple(d, s);
    }
  }

  /** The single-valued and list settings shared by {@code mail} and {@code server}. */
  private static void applySimple(Directive d, ServerSettings s) throws ConfigException {
    switch (d.name()) {
      case "server_name":
        s.serverName = d.arg(0);
        break;
      case "timeout":
        s.timeout = Values.time(d);
        break;
      case "proxy_timeout":
        s.proxyTimeout = Values.time(d);
        break;
      case "proxy_buffer":
        s.proxyBuffer = Values.size(d);
        break;
      case "proxy_pass_error_message":
        s.proxyPassErrorMessage = Values.flag(d);
        break;
      case "proxy_protocol":
        s.proxyProtocol = proxyProtocolVersion(d);
        break;
      case "proxy_connect_timeout":
        s.proxyConnectTimeout = Values.time(d);
        break;
      case "proxy_client_identity":
        s.proxyClientIdentity = Values.flag(d);
        break;
      case "set_real_ip_from":
        if (s.realIpFrom == null) {
          s.realIpFrom = new ArrayList<>();
        }
        s.realIpFrom.add(AddressRange.parse(d, d.arg(0)));
        break;
      case "max_commands":
        s.maxCommands = Values.number(d, 0);
        break;
      case "max_errors":
        s.maxErrors = Values.number(d, 0);
        break;
      case "auth_http_timeout":
        s.authHttpTimeout = Values.time(d);
        break;
      case "auth_http_connect_timeout":
        s.authHttpConnectTimeout = positiveTime(d);
        break;
      case "auth_http_idle_timeout":
        s.authHttpIdleTimeout = positiveTime(d);
        break;
      case "auth_http_down_time":
        s.authHttpDownTime = Values.time(d);
        break;
      case "auth_http_balance":
        s.authHttpBalance = balance(d);
        break;
      case "auth_http_pass_client_cert":
        s.authHttpPassClientCert = Values.flag(d);
        break;
      case "auth_http_keepalive":
        s.authHttpKeepalive = Values.number(d, 0);
        break;
      case "oauth_fastmail_compat":
        s.oauthFastmailCompat = Values.flag(d);
        break;
      case "resolver":
        s.resolver = ResolverConfig.parse(d);
        break;
      case "resolver_timeout":
        s.resolverTimeout = Values.time(d);
        break;
      default:
        applyProtocol(d, s);
    }
  }

  /** The {@code imap_*}, {@code pop3_*} and {@code smtp_*} settings. */
  private static void applyProtocol(Directive d, ServerSettings s) throws ConfigException {
    switch (d.name()) {
      case "imap_client_buffer":
        s.imapClientBuffer = Values.size(d);
        break;
      case "imap_auth":
        s.imapAuth = mechanisms(d, IMAP_AUTH, s.imapAuth);
        break;
      case "imap_capabilities":
        s.imapCapabilities = append(s.imapCapabilities, d);
        break;
      case "imap_id_fields":
        s.imapIdFields = idFields(d);
        break;
      case "pop3_client_buffer":
        s.pop3ClientBuffer = Values.size(d);
        break;
      case "pop3_auth":
        s.pop3Auth = mechanisms(d, POP3_AUTH, s.pop3Auth);
        break;
      case "pop3_capabilities":
        s.pop3Capabilities = append(s.pop3Capabilities, d);
        break;
      case "smtp_client_buffer":
        s.smtpClientBuffer = Values.size(d);
        break;
      case "smtp_auth":
        s.smtpAuth = mechanisms(d, SMTP_AUTH, s.smtpAuth);
        break;
      case "smtp_capabilities":
        rejectGeneratedSmtpCapabilities(d);
        s.smtpCapabilities = append(s.smtpCapabilities, d);
        break;
      case "smtp_greeting_delay":
        s.smtpGreetingDelay = Values.time(d);
        break;
      case "xclient":
        s.xclient = Values.flag(d);
        break;
      case "proxy_smtp_auth":
        s.proxySmtpAuth = Values.flag(d);
        break;
      default:
        // Every name in DirectiveTable for MAIL/SERVER is handled above; reaching here is a programming error.
        throw new IllegalStateException("no handler for directive " + d.name());
    }
  }

  /** One more auth service; the same URL twice in a block is a mistake (its logins would all go to one place). */
  private static void authHttp(Directive d, ServerSettings s) throws ConfigException {
    AuthHttpTarget target = AuthHttpTarget.parse(d);
    if (s.authHttp == null) {
      s.authHttp = new ArrayList<>();
    }
    for (AuthHttpTarget other : s.authHttp) {
      if (other.url().equalsIgnoreCase(target.url())) {
        throw d.error("duplicate auth_http \"" + target.url() + "\"");
      }
    }
    s.authHttp.add(target);
  }

  private static AuthHttpConfig.Balance balance(Directive d) throws ConfigException {
    switch (d.arg(0)) {
      case "first":
        return AuthHttpConfig.Balance.FIRST;
      case "round_robin":
        return AuthHttpConfig.Balance.ROUND_ROBIN;
      default:
        throw d.error("invalid value \"" + d.arg(0) + "\" in \"auth_http_balance\" directive, it must be \"first\""
            + " or \"round_robin\"");
    }
  }

  private static java.time.Duration positiveTime(Directive d) throws ConfigException {
    java.time.Duration t = Values.time(d);
    if (t.isZero()) {
      throw Values.invalid(d, d.arg(0));
    }
    return t;
  }

  private void listen(Directive d, ServerSettings s) throws ConfigException {
    for (ListenConfig l : ListenParser.parse(d)) {
      if (!listenAddresses.add(l.text())) {
        throw d.error("duplicate \"" + l.text() + "\" address and port pair");
      }
      s.listens.add(l);
      if (l.ssl()) {
        s.tls.listenSslAt = new TlsSettings.Origin("listen ... ssl", d.file(), d.line());
      }
    }
  }

  private static AccessLogConfig.Format accessLogFormat(Directive d) throws ConfigException {
    switch (d.arg(0)) {
      case "text":
        return AccessLogConfig.Format.TEXT;
      case "json":
        return AccessLogConfig.Format.JSON;
      default:
        throw Values.invalid(d, d.arg(0));
    }
  }

  private static String protocol(Directive d) throws ConfigException {
    String p = d.arg(0);
    if (!p.equals("imap") && !p.equals("pop3") && !p.equals("smtp")) {
      throw d.error("unknown protocol \"" + p + "\"");
    }
    return p;
  }

  private static EnumSet<Mechanism> mechanisms(Directive d, Set<Mechanism> allowed, EnumSet<Mechanism> current)
      throws ConfigException {
    EnumSet<Mechanism> set = current == null ? EnumSet.noneOf(Mechanism.class) : current;
    Values.mechanisms(d, allowed, set);
    return set;
  }

  /** {@code on}/{@code v1} (nginx's text header), {@code v2} (the binary one) or {@code off}. */
  private static ProxyProtocolVersion proxyProtocolVersion(Directive d) throws ConfigException {
    switch (d.arg(0).toLowerCase(java.util.Locale.ROOT)) {
      case "on":
      case "v1":
        return ProxyProtocolVersion.V1;
      case "v2":
        return ProxyProtocolVersion.V2;
      case "off":
        return ProxyProtocolVersion.OFF;
      default:
        throw d.error("invalid value \"" + d.arg(0) + "\" in \"proxy_protocol\" directive, it must be \"on\", \"v1\", "
            + "\"v2\" or \"off\"");
    }
  }

  /**
   * {@code imap_id_fields name value ...}: RFC 2971 §3.3 pairs, so an even count of at most 30 pairs, field names of
   * at most 30 octets and values of at most 1024, all printable ASCII (they go out as quoted strings).
   */
  private static List<String> idFields(Directive d) throws ConfigException {
    List<String> args = d.args();
    if (args.size() % 2 != 0 || args.size() > 60) {
      throw d.error("\"imap_id_fields\" takes field and value pairs, at most 30 of them");
    }
    for (int i = 0; i < args.size(); i++) {
      String v = args.get(i);
      boolean field = i % 2 == 0;
      if (v.isEmpty() || v.length() > (field ? 30 : 1024) || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
        throw d.error("invalid " + (field ? "field" : "value") + " \"" + v + "\" in \"imap_id_fields\" directive");
      }
    }
    return List.copyOf(args);
  }

  private static List<String> append(List<String> current, Directive d) {
    List<String> list = current == null ? new ArrayList<>() : current;
    list.addAll(d.args());
    return list;
  }

  /**
   * AUTH comes from {@code smtp_auth} and STARTTLS from {@code starttls}; listed by hand they would be announced twice
   * or announce what the server does not do. The keyword is the text before the first space or {@code =} (RFC 5321
   * §4.1.1.1 ehlo-keyword; {@code AUTH=PLAIN} is the pre-RFC 4954 form some clients still parse).
   */
  private static void rejectGeneratedSmtpCapabilities(Directive d) throws ConfigException {
    for (String capability : d.args()) {
      String keyword = capability.split("[ =]", 2)[0].toUpperCase(Locale.ROOT);
      if (keyword.equals("AUTH") || keyword.equals("STARTTLS")) {
        throw d.error("\"" + keyword + "\" is generated and must not be listed in \"smtp_capabilities\"");
      }
    }
  }
}
