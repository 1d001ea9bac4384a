package io.mailgate.auth;

import io.mailgate.backend.BackendNameResolver;
import io.mailgate.backend.BackendTarget;
import io.mailgate.config.AuthHttpConfig;
import io.mailgate.config.AuthHttpService;
import io.mailgate.config.ResolverConfig;
import io.mailgate.tls.BackendTls;
import io.mailgate.tls.TlsSetupException;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * nginx's auth_http protocol ({@code ngx_mail_auth_http_module}) over Netty, on the caller's event loop.
 *
 * <p>Differences from nginx, all invisible to a conforming auth server: the request adds {@code Connection:
 * keep-alive}, and connections whose response carried {@code Content-Length} and agreed to keep-alive are pooled
 * per event loop and service (at most {@code auth_http_keepalive}, {@code auth_http_idle_timeout} idle, 30 s by
 * default); the response head may be up to 16 KB instead of 1 KB. Every connection counts against the
 * {@link ConnectionGate}. Beyond nginx: {@code https://} services (one client TLS context per server, so
 * sessions are resumed when a pooled connection has to be replaced), and several services with failover
 * ({@link AuthServices}, {@link AuthService}).
 */
public final class HttpAuthClient implements AuthClient {

  /** How often a service's host name is looked up again (the resolver's cache answers until the TTL ends). */
  static final Duration NAME_REFRESH = Duration.ofSeconds(30);

  private final AuthHttpConfig config;
  private final AuthServices services;
  private final BackendNameResolver names;
  private final List<String> warnings;

  /**
   * A client for the auth services of {@code config}, connecting with {@code transport} within {@code gate}; an
   * {@code Auth-Server} name is resolved with the system's name servers.
   */
  public HttpAuthClient(AuthHttpConfig config, Transport transport, ConnectionGate gate) throws TlsSetupException {
    this(config, transport, gate, Optional.empty());
  }

  /**
   * As above, resolving an {@code Auth-Server} name (and the services' own names, again every
   * {@link #NAME_REFRESH}) with the server's {@code resolver} (within its {@code resolver_timeout}) when it has one,
   * else with the system's (within {@code auth_http_timeout}).
   *
   * @throws TlsSetupException when an {@code https://} service's trust store or client certificate cannot be loaded
   */
  public HttpAuthClient(AuthHttpConfig config, Transport transport, ConnectionGate gate,
      Optional<ResolverConfig> resolver) throws TlsSetupException {
    this.config = config;
    this.names = new BackendNameResolver(resolver.map(ResolverConfig::nameServers), transport.datagramChannel(),
        resolver.map(ResolverConfig::timeout).orElse(config.first().timeout()));
    Optional<BackendTls> tls = config.usesTls()
        ? Optional.of(BackendTls.create(config.tls(), "auth_http_ssl", "auth service"))
        : Optional.empty();
    this.warnings = tls.map(BackendTls::warnings).orElse(List.of());
    Duration refresh = resolver.flatMap(r -> r.nameServers().valid()).filter(v -> !v.isZero()).orElse(NAME_REFRESH);
    List<AuthService> list = new ArrayList<>();
    boolean several = config.services().size() > 1;
    for (AuthHttpService service : config.services()) {
      AuthConnectionPool pool = new AuthConnectionPool(config.keepalive(), service.idleTimeout());
      AuthConnector connector = new AuthConnector(service, transport, gate, pool,
          service.https() ? tls : Optional.empty(), config.tls().name().orElse(service.peerHost()));
      list.add(new AuthService(connector, pool, several, config.downTime(), System::nanoTime, Optional.of(names),
          refresh));
    }
    this.services = new AuthServices(list, config.balance());
  }

  /** Warnings of the TLS set-up to log at start-up (a protocol the provider lacks). */
  public List<String> warnings() {
    return warnings;
  }

  /** TLS handshakes started with each service, in configuration order (tests, the benchmark). */
  public List<Long> handshakes() {
    return services.all().stream().map(s -> s.connector().handshakes()).toList();
  }

  /** {@inheritDoc} */
  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop) {
    CompletableFuture<AuthResult> answer = new CompletableFuture<>();
    AuthExchange exchange = new AuthExchange(config, services.order(), request, loop, answer);
    if (loop.inEventLoop()) {
      exchange.start();
    } else {
      try {
        loop.execute(exchange::start);
      } catch (RejectedExecutionException e) {
        // The loop is shutting down; its session is going away too, so completing here is harmless.
        answer.complete(new AuthResult.Unavailable(AuthResult.Unavailable.Kind.SHUTTING_DOWN,
            "auth http server " + peer() + ": shutting down"));
      }
    }
    // Callers get a view they cannot complete themselves.
    return answer.thenCompose(result -> resolveBackend(result, loop)).minimalCompletionStage();
  }

  private String peer() {
    return services.all().get(0).peer();
  }

  /**
   * An accepted answer naming its backend by a host name gets the name's addresses (tried in order, so a dead
   * first one fails over to the next); one that does not resolve is an auth service error, as nginx treats any
   * Auth-Server it cannot use. Completes on {@code loop}, where the answer arrived.
   */
  private CompletionStage<AuthResult> resolveBackend(AuthResult result, EventLoop loop) {
    if (!(result instanceof AuthResult.Accepted accepted) || accepted.backend().resolved()) {
      return CompletableFuture.completedFuture(result);
    }
    String host = accepted.backend().first().getHostString();
    int port = accepted.backend().first().getPort();
    CompletableFuture<AuthResult> resolved = new CompletableFuture<>();
    Runnable start = () -> names.resolve(loop, host, port).addListener((Future<BackendTarget> f) ->
        resolved.complete(f.isSuccess()
            ? accepted.withBackend(f.getNow())
            : new AuthResult.Unavailable(AuthResult.Unavailable.Kind.OTHER, "auth http server " + peer()
                + " sent server name \"" + host + "\" that could not be resolved (" + describe(f.cause()) + ")")));
    if (loop.inEventLoop()) {
      start.run();
    } else {
      try {
        loop.execute(start);
      } catch (RejectedExecutionException e) {
        resolved.complete(new AuthResult.Unavailable(AuthResult.Unavailable.Kind.SHUTTING_DOWN,
            "auth http server " + peer() + ": shutting down"));
      }
    }
    return resolved;
  }

  private static String describe(Throwable cause) {
    String message = cause == null ? null : cause.getMessage();
    return message == null || message.isEmpty() ? String.valueOf(cause) : message;
  }

  /** Closes the pooled connections and stops background probes; exchanges in flight finish and close theirs. */
  @Override
  public void close() {
    services.close();
    names.close();
  }
}
