package io.mailgate.config;

import io.mailgate.sasl.Mechanism;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/** Merges a server's settings with those of {@code mail} and nginx's defaults (nginx's merge_srv_conf). */
final class ServerMerger {

  /** Well-known ports nginx infers a protocol from when a server has no {@code protocol}. */
  private static final Map<Integer, String> PORT_PROTOCOLS = Map.of(
      143, "imap", 993, "imap", 110, "pop3", 995, "pop3", 25, "smtp", 465, "smtp", 587, "smtp");

  private ServerMerger() {}

  /** The final server; fails when the protocol cannot be told or no {@code auth_http} applies. */
  static ServerConfig merge(ServerSettings s, ServerSettings mail, Supplier<String> hostName) throws ConfigException {
    String protocol = s.protocol != null ? s.protocol : inferProtocol(s.listens);
    if (protocol == null) {
      throw new ConfigException("unknown mail protocol for server", s.file, s.line);
    }
    BuiltinAuthConfig builtin = BuiltinAuthDirectives.merge(s.builtinAuth, mail.builtinAuth);
    if (builtin.oauth().isPresent()
        && BuiltinAuthDirectives.lacksKeySource(builtin.oauth().get(), builtin.demoTokenIssuer().isPresent())) {
      throw new ConfigException("no \"auth_oauth_jwks\", \"auth_oauth_discovery\" or \"auth_oauth_introspection\""
          + " is defined for server", s.file, s.line);
    }
    if (BuiltinAuthDirectives.lacksMasterUser(builtin.backendCredentials())) {
      throw new ConfigException("no \"proxy_backend_master\" is defined for server", s.file, s.line);
    }
    List<AuthHttpTarget> targets = pick(s.authHttp, mail.authHttp, null);
    Optional<AuthHttpConfig> authHttp = Optional.empty();
    if (targets != null) {
      authHttp = Optional.of(authHttp(s, mail, targets));
    } else if (!builtin.checksPasswords() && !builtin.checksTokens()) {
      // nginx's rule, kept: without a built-in authenticator every login needs the auth service.
      throw new ConfigException("no \"auth_http\" is defined for server", s.file, s.line);
    }
    String serverName = pick(s.serverName, mail.serverName, null);
    if (serverName == null || serverName.isEmpty()) {
      serverName = hostName.get();
    }
    ImapConfig imap = new ImapConfig(
        pick(s.imapClientBuffer, mail.imapClientBuffer, 4096),
        pick(s.imapAuth, mail.imapAuth, EnumSet.of(Mechanism.PLAIN)),
        pick(s.imapCapabilities, mail.imapCapabilities, List.of("IMAP4", "IMAP4rev1", "UIDPLUS")),
        pick(s.imapIdFields, mail.imapIdFields, List.of()));
    Pop3Config pop3 = new Pop3Config(
        pick(s.pop3ClientBuffer, mail.pop3ClientBuffer, 128),
        pick(s.pop3Auth, mail.pop3Auth, EnumSet.of(Mechanism.PLAIN)),
        pick(s.pop3Capabilities, mail.pop3Capabilities, List.of("TOP", "USER", "UIDL")));
    SmtpConfig smtp = new SmtpConfig(
        pick(s.smtpClientBuffer, mail.smtpClientBuffer, 4096),
        pick(s.smtpAuth, mail.smtpAuth, EnumSet.of(Mechanism.PLAIN, Mechanism.LOGIN)),
        pick(s.smtpCapabilities, mail.smtpCapabilities, List.of()),
        pick(s.smtpGreetingDelay, mail.smtpGreetingDelay, Duration.ZERO),
        pick(s.xclient, mail.xclient, true),
        pick(s.proxySmtpAuth, mail.proxySmtpAuth, false));
    return new ServerConfig(
        s.file,
        s.line,
        listens(s, mail),
        protocol,
        serverName,
        pick(s.timeout, mail.timeout, Duration.ofSeconds(60)),
        pick(s.proxyTimeout, mail.proxyTimeout, Duration.ofHours(24)),
        pick(s.proxyBuffer, mail.proxyBuffer, 4096),
        pick(s.proxyPassErrorMessage, mail.proxyPassErrorMessage, false),
        pick(s.proxyProtocol, mail.proxyProtocol, ProxyProtocolVersion.OFF),
        pick(s.proxyConnectTimeout, mail.proxyConnectTimeout, Duration.ofSeconds(60)),
        pick(s.proxyClientIdentity, mail.proxyClientIdentity, false),
        pick(s.realIpFrom, mail.realIpFrom, List.of()),
        pick(s.maxErrors, mail.maxErrors, 5),
        pick(s.maxCommands, mail.maxCommands, 1000),
        Optional.ofNullable(pick(s.errorLog, mail.errorLog, null)),
        authHttp,
        pick(s.oauthFastmailCompat, mail.oauthFastmailCompat, false),
        imap,
        pop3,
        smtp,
        TlsMerger.client(s, mail),
        TlsMerger.backend(s, mail),
        builtin,
        pick(s.resolver, mail.resolver, Optional.<ResolverConfig.NameServers>empty()).map(servers ->
            new ResolverConfig(servers, pick(s.resolverTimeout, mail.resolverTimeout, Duration.ofSeconds(30)))),
        ThrottleDirectives.merge(s.throttle, mail.throttle, s.file, s.line),
        new AccessLogConfig(pick(s.accessLog, mail.accessLog, Optional.<ErrorLogConfig.Sink>empty()),
            pick(s.accessLogFormat, mail.accessLogFormat, AccessLogConfig.Format.TEXT)));
  }

  /** The auth services with their timeouts: a line's own parameters, else the block's directives, else defaults. */
  private static AuthHttpConfig authHttp(ServerSettings s, ServerSettings mail, List<AuthHttpTarget> targets)
      throws ConfigException {
    Duration timeout = pick(s.authHttpTimeout, mail.authHttpTimeout, Duration.ofSeconds(60));
    Duration connectTimeout = pick(s.authHttpConnectTimeout, mail.authHttpConnectTimeout, null);
    Duration idleTimeout = pick(s.authHttpIdleTimeout, mail.authHttpIdleTimeout, AuthHttpConfig.DEFAULT_IDLE_TIMEOUT);
    List<AuthHttpService> services = new ArrayList<>();
    for (AuthHttpTarget t : targets) {
      Duration own = t.timeout().orElse(timeout);
      services.add(new AuthHttpService(t.url(), t.address(), t.hostHeader(), t.uri(), t.https(), t.peerHost(),
          t.lookupName(), t.connectTimeout().orElse(connectTimeout != null ? connectTimeout : own), own,
          t.idleTimeout().orElse(idleTimeout)));
    }
    return new AuthHttpConfig(
        services,
        pick(s.authHttpBalance, mail.authHttpBalance, AuthHttpConfig.Balance.FIRST),
        pick(s.authHttpDownTime, mail.authHttpDownTime, AuthHttpConfig.DEFAULT_DOWN_TIME),
        pick(s.authHttpHeaders, mail.authHttpHeaders, List.of()),
        pick(s.authHttpPassClientCert, mail.authHttpPassClientCert, false),
        pick(s.authHttpKeepalive, mail.authHttpKeepalive, AuthHttpConfig.DEFAULT_KEEPALIVE),
        TlsMerger.authHttp(s, mail));
  }

  /** The server's listens; with {@code ssl on} (nginx's obsolete form) every one of them is implicit TLS. */
  private static List<ListenConfig> listens(ServerSettings s, ServerSettings mail) {
    if (!TlsMerger.sslOn(s, mail)) {
      return s.listens;
    }
    List<ListenConfig> out = new ArrayList<>();
    for (ListenConfig l : s.listens) {
      out.add(new ListenConfig(
          l.address(), l.text(), l.backlog(), l.rcvbuf(), l.sndbuf(), l.soKeepalive(), true, l.proxyProtocol()));
    }
    return out;
  }

  private static <T> T pick(T own, T inherited, T fallback) {
    if (own != null) {
      return own;
    }
    return inherited != null ? inherited : fallback;
  }

  private static String inferProtocol(List<ListenConfig> listens) {
    for (ListenConfig l : listens) {
      OptionalInt port = ListenParser.port(l);
      if (port.isPresent() && PORT_PROTOCOLS.containsKey(port.getAsInt())) {
        return PORT_PROTOCOLS.get(port.getAsInt());
      }
    }
    return null;
  }
}
