package io.mailgate.auth;

import io.mailgate.backend.BackendNameResolver;
import io.mailgate.backend.BackendTarget;
import io.mailgate.config.AuthHttpConfig;
import io.mailgate.config.ResolverConfig;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * nginx's auth_http protocol ({@code ngx_mail_auth_http_module}) over Netty, on the caller's event loop.
 *
 * <p>Differences from nginx, all invisible to a conforming auth server: the request adds {@code Connection:
 * keep-alive}, and connections whose response carried {@code Content-Length} and agreed to keep-alive are pooled
 * per event loop (at most {@code auth_http_keepalive}, 30 s idle); the response head may be up to
 * 16 KB instead of 1 KB. Every connection counts against the {@link ConnectionGate}.
 */
public final class HttpAuthClient implements AuthClient {

  private final AuthHttpConfig config;
  private final AuthConnectionPool pool;
  private final AuthConnector connector;
  private final BackendNameResolver names;

  /**
   * A client for the auth server of {@code config}, connecting with {@code transport} within {@code gate}; an
   * {@code Auth-Server} name is resolved with the system's name servers.
   */
  public HttpAuthClient(AuthHttpConfig config, Transport transport, ConnectionGate gate) {
    this(config, transport, gate, Optional.empty());
  }

  /**
   * As above, resolving an {@code Auth-Server} name with the server's {@code resolver} (within its
   * {@code resolver_timeout}) when it has one, else with the system's (within {@code auth_http_timeout}).
   */
  public HttpAuthClient(AuthHttpConfig config, Transport transport, ConnectionGate gate,
      Optional<ResolverConfig> resolver) {
    this.config = config;
    this.pool = new AuthConnectionPool(config.keepalive());
    this.connector = new AuthConnector(config.address(), transport, gate, pool, config.timeout());
    this.names = new BackendNameResolver(resolver.map(ResolverConfig::nameServers), transport.datagramChannel(),
        resolver.map(ResolverConfig::timeout).orElse(config.timeout()));
  }

  /** {@inheritDoc} */
  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop) {
    CompletableFuture<AuthResult> answer = new CompletableFuture<>();
    AuthExchange exchange = new AuthExchange(config, connector, pool, request, loop, answer);
    if (loop.inEventLoop()) {
      exchange.start();
    } else {
      try {
        loop.execute(exchange::start);
      } catch (RejectedExecutionException e) {
        // The loop is shutting down; its session is going away too, so completing here is harmless.
        answer.complete(new AuthResult.Unavailable(AuthResult.Unavailable.Kind.SHUTTING_DOWN,
            "auth http server " + connector.peer() + ": shutting down"));
      }
    }
    // Callers get a view they cannot complete themselves.
    return answer.thenCompose(result -> resolveBackend(result, loop)).minimalCompletionStage();
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
            : new AuthResult.Unavailable(AuthResult.Unavailable.Kind.OTHER, "auth http server " + connector.peer()
                + " sent server name \"" + host + "\" that could not be resolved (" + describe(f.cause()) + ")")));
    if (loop.inEventLoop()) {
      start.run();
    } else {
      try {
        loop.execute(start);
      } catch (RejectedExecutionException e) {
        resolved.complete(new AuthResult.Unavailable(AuthResult.Unavailable.Kind.SHUTTING_DOWN,
            "auth http server " + connector.peer() + ": shutting down"));
      }
    }
    return resolved;
  }

  private static String describe(Throwable cause) {
    String message = cause == null ? null : cause.getMessage();
    return message == null || message.isEmpty() ? String.valueOf(cause) : message;
  }

  /** Closes the pooled connections; exchanges in flight finish and close their connections. */
  @Override
  public void close() {
    pool.close();
    names.close();
  }
}
