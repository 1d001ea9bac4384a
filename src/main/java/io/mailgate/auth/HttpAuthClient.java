package io.mailgate.auth;

import io.mailgate.config.AuthHttpConfig;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.EventLoop;
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

  /** A client for the auth server of {@code config}, connecting with {@code transport} within {@code gate}. */
  public HttpAuthClient(AuthHttpConfig config, Transport transport, ConnectionGate gate) {
    this.config = config;
    this.pool = new AuthConnectionPool(config.keepalive());
    this.connector = new AuthConnector(config.address(), transport, gate, pool, config.timeout());
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
    return answer.minimalCompletionStage();
  }

  /** Closes the pooled connections; exchanges in flight finish and close their connections. */
  @Override
  public void close() {
    pool.close();
  }
}
