package io.mailgate.session;

import io.mailgate.auth.AuthClient;
import io.mailgate.backend.BackendConnector;
import io.mailgate.config.ServerConfig;
import io.mailgate.resolver.ClientNameResolver;
import io.mailgate.throttle.Guards;
import io.mailgate.tls.BackendTls;
import io.mailgate.tls.ServerTls;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import java.util.Optional;

/**
 * A configured {@code server} made live: its settings, its protocol, its auth service client, and the shared transport
 * and connection gate, and the backend connector. One per {@code server} block, shared by its sessions.
 *
 * @param tls client-side TLS, when the server has certificates
 * @param backendTls TLS towards the backends ({@code proxy_ssl*}); always there, as the auth service's
 *     {@code Auth-Proxy-SSL} can demand TLS for one login even with {@code proxy_ssl off}
 * @param loggerName the logger for this server's sessions (its own {@code error_log} or the main one)
 * @param resolver the client-name resolver of an SMTP server with a {@code resolver}
 * @param resources the count of users of this configuration's login resources: each session holds it until its login
 *     is over, so that a reload closes the old configuration's auth pools and resolvers only after their last login
 * @param events who watches this server's sessions (metrics, the access log)
 * @param guards the login throttle and the connection limits
 */
public record ServerRuntime(
    ServerConfig config,
    MailProtocol protocol,
    AuthClient authClient,
    Transport transport,
    ConnectionGate gate,
    BackendConnector backendConnector,
    Optional<ServerTls> tls,
    BackendTls backendTls,
    String loggerName,
    Optional<ClientNameResolver> resolver,
    LoginResources resources,
    SessionEvents events,
    Guards guards) {}
