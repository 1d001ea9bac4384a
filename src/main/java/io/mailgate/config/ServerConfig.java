package io.mailgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One {@code mail { server {} }} block with everything it inherits from {@code mail} merged in (nginx's
 * merge_srv_conf). Defaults are nginx's.
 *
 * @param file the file of the {@code server} directive, for messages
 * @param line its line
 * @param listens the {@code listen} directives (at least one)
 * @param protocol {@code imap}, {@code pop3} or {@code smtp}: {@code protocol}, or inferred from a well-known port
 * @param serverName {@code server_name} (default: the machine's host name)
 * @param timeout {@code timeout} (default 60s): every client phase before the relay
 * @param proxyTimeout {@code proxy_timeout} (default 24h): idle time in the relay
 * @param proxyBuffer {@code proxy_buffer} (default 4k): backend response lines during login
 * @param proxyPassErrorMessage {@code proxy_pass_error_message} (default off)
 * @param proxyProtocol {@code proxy_protocol} (default off): the PROXY protocol header that opens each backend
 *     connection ({@code on} or {@code v1}: nginx's text line; {@code v2}: the binary header)
 * @param proxyConnectTimeout {@code proxy_connect_timeout} (default 60s, as nginx's http/stream directive): one
 *     backend address's connect; a refused or timed-out address moves on to the next one
 * @param proxyClientIdentity {@code proxy_client_identity} (default off): tell IMAP (ID) and POP3 (XCLIENT) backends
 *     who the client is, as Dovecot's own proxy does
 * @param realIpFrom {@code set_real_ip_from}: clients at these addresses may name the real client in the PROXY
 *     protocol header of a {@code listen ... proxy_protocol}
 * @param maxErrors {@code max_errors} (default 5)
 * @param maxCommands {@code max_commands} (freenginx; default 1000): commands before login, SASL lines included
 * @param errorLog this server's {@code error_log}, when it has its own
 * @param authHttp {@code auth_http} and companions; required unless the built-in authenticators check every login
 *     the server accepts
 * @param oauthFastmailCompat {@code oauth_fastmail_compat} (default off): Fastmail's original OAuth error flow
 * @param imap {@code imap_*}
 * @param pop3 {@code pop3_*}
 * @param smtp {@code smtp_*}, {@code xclient}, {@code proxy_smtp_auth}
 * @param tls client-side TLS ({@code starttls}, {@code ssl_*})
 * @param backendTls TLS towards the backends ({@code proxy_ssl*})
 * @param builtinAuth mailgate's own authenticators and routing
 * @param resolver {@code resolver} and {@code resolver_timeout}: SMTP looks up the client's host name when set
 * @param throttle the login throttle and the connection limits (default: neither)
 * @param accessLog {@code access_log} and {@code access_log_format} (default off)
 */
public record ServerConfig(
    String file,
    int line,
    List<ListenConfig> listens,
    String protocol,
    String serverName,
    Duration timeout,
    Duration proxyTimeout,
    int proxyBuffer,
    boolean proxyPassErrorMessage,
    ProxyProtocolVersion proxyProtocol,
    Duration proxyConnectTimeout,
    boolean proxyClientIdentity,
    List<AddressRange> realIpFrom,
    int maxErrors,
    int maxCommands,
    Optional<ErrorLogConfig> errorLog,
    Optional<AuthHttpConfig> authHttp,
    boolean oauthFastmailCompat,
    ImapConfig imap,
    Pop3Config pop3,
    SmtpConfig smtp,
    TlsConfig tls,
    BackendTlsConfig backendTls,
    BuiltinAuthConfig builtinAuth,
    Optional<ResolverConfig> resolver,
    ThrottleConfig throttle,
    AccessLogConfig accessLog) {

  public ServerConfig {
    listens = List.copyOf(listens);
    realIpFrom = List.copyOf(realIpFrom);
  }
}
