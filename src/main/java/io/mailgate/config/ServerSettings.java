package io.mailgate.config;

import io.mailgate.sasl.Mechanism;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The settings written in one {@code mail {}} or {@code server {}} block, before merging; {@code null} means "not
 * set here", so that a server inherits the value from {@code mail} (nginx's NGX_CONF_UNSET).
 */
final class ServerSettings {

  final String file;
  final int line;

  final List<ListenConfig> listens = new ArrayList<>();
  String protocol;
  String serverName;
  Duration timeout;
  Duration proxyTimeout;
  Integer proxyBuffer;
  Boolean proxyPassErrorMessage;
  /** {@code proxy_protocol}: send a PROXY protocol header to the backend. */
  ProxyProtocolVersion proxyProtocol;
  /** {@code proxy_connect_timeout}. */
  Duration proxyConnectTimeout;
  /** {@code proxy_client_identity}. */
  Boolean proxyClientIdentity;
  /** {@code set_real_ip_from}: the block's own list (nginx does not merge a server's list with mail's). */
  List<AddressRange> realIpFrom;
  Integer maxErrors;
  Integer maxCommands;
  /** Every {@code error_log} of this block; a server with none uses those of {@code mail}. */
  ErrorLogConfig errorLog;
  /** {@code access_log}: {@link java.util.Optional#empty()} for {@code off}. */
  java.util.Optional<ErrorLogConfig.Sink> accessLog;
  /** {@code access_log_format}. */
  AccessLogConfig.Format accessLogFormat;
  /** The block's own {@code auth_http} lines, in order (a server's own replace those of {@code mail}). */
  List<AuthHttpTarget> authHttp;
  List<AuthHttpConfig.HttpHeader> authHttpHeaders;
  Duration authHttpTimeout;
  Duration authHttpConnectTimeout;
  Duration authHttpIdleTimeout;
  AuthHttpConfig.Balance authHttpBalance;
  Duration authHttpDownTime;
  Boolean authHttpPassClientCert;
  Integer authHttpKeepalive;
  Boolean oauthFastmailCompat;
  Integer imapClientBuffer;
  /** {@code imap_id_fields}: field/value pairs of the local answer to a client's ID; empty for {@code NIL}. */
  List<String> imapIdFields;
  EnumSet<Mechanism> imapAuth;
  List<String> imapCapabilities;
  Integer pop3ClientBuffer;
  EnumSet<Mechanism> pop3Auth;
  List<String> pop3Capabilities;
  Integer smtpClientBuffer;
  EnumSet<Mechanism> smtpAuth;
  List<String> smtpCapabilities;
  Duration smtpGreetingDelay;
  Boolean xclient;
  Boolean proxySmtpAuth;
  /** {@code resolver}; {@link java.util.Optional#empty()} for {@code resolver off}. */
  java.util.Optional<ResolverConfig.NameServers> resolver;
  Duration resolverTimeout;
  /** {@code starttls}, {@code ssl}, {@code ssl_*} and {@code proxy_ssl*}. */
  final TlsSettings tls = new TlsSettings();
  /** {@code auth_users}, {@code auth_oauth_*}, {@code proxy_backend*}, {@code demo_*}. */
  final BuiltinAuthSettings builtinAuth = new BuiltinAuthSettings();
  /** {@code login_throttle*}, {@code throttle_redis*}, {@code limit_*}. */
  final ThrottleDirectives.Settings throttle = new ThrottleDirectives.Settings();

  /** Settings of the block opened by the directive at {@code file:line}. */
  ServerSettings(String file, int line) {
    this.file = file;
    this.line = line;
  }
}
