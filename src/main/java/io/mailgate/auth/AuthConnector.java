package io.mailgate.auth;

import io.mailgate.config.AuthHttpService;
import io.mailgate.tls.BackendTls;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.OutboundSockets;
import io.mailgate.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens connections to one auth service on a caller's event loop, each counted against the loop's connection gate;
 * for an {@code https://} service the connection is ready once its TLS handshake is done (SNI and the certificate
 * check use the configured name, while the connection goes to the resolved address).
 */
final class AuthConnector {

  private final AuthHttpService service;
  private final String peer;
  private final Optional<Class<? extends Channel>> channelClass;
  private final ConnectionGate gate;
  private final AuthConnectionPool pool;
  private final Optional<BackendTls> tls;
  private final String tlsName;
  private final int connectTimeoutMillis;
  private final AtomicLong handshakes = new AtomicLong();
  /** Replaced when a look-up of the service's name gives another address; read by every loop. */
  private volatile SocketAddress address;

  /**
   * @param tls the client context for an {@code https://} service; empty for {@code http://}
   * @param tlsName {@code auth_http_ssl_name}, else the URL's host: sent by SNI and checked in the certificate
   */
  AuthConnector(AuthHttpService service, Transport transport, ConnectionGate gate, AuthConnectionPool pool,
      Optional<BackendTls> tls, String tlsName) {
    this.service = service;
    this.address = service.address();
    this.peer = peerName(service.address());
    this.channelClass = service.address() instanceof DomainSocketAddress
        ? transport.domainSocketChannel()
        : Optional.of(transport.socketChannel());
    this.gate = gate;
    this.pool = pool;
    this.tls = tls;
    this.tlsName = tlsName;
    this.connectTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, service.connectTimeout().toMillis()));
  }

  /**
   * The auth server as nginx names it in logs: {@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code unix:/path}; an
   * {@code https://} one is prefixed with the scheme.
   */
  String peer() {
    return peer;
  }

  /** The service this connects to. */
  AuthHttpService service() {
    return service;
  }

  /** Why no connection can be made at all (a unix socket without epoll), or empty. */
  Optional<String> unusable() {
    return channelClass.isPresent()
        ? Optional.empty()
        : Optional.of("auth http server " + peer + ": unix sockets need the epoll transport");
  }

  /** Connects to {@code next} from now on (the service's name now resolves there). Any thread. */
  void moveTo(InetSocketAddress next) {
    address = next;
  }

  /** TLS handshakes started so far (tests and the benchmark compare it with the number of logins). */
  long handshakes() {
    return handshakes.get();
  }

  /**
   * Starts connecting on {@code loop}; null when the loop has no connection slot left. The promise completes with the
   * channel once it can carry a request (connected, and for https the handshake done), or fails with the cause. The
   * slot is returned when the channel closes. Only when {@link #unusable()} is empty; on {@code loop} only.
   *
   * @throws OutboundSockets.NoSocketException when no socket could be made (the descriptor limit); the slot is back
   */
  Promise<Channel> connect(EventLoop loop) throws OutboundSockets.NoSocketException {
    if (!gate.tryAcquire(loop)) {
      return null;
    }
    SocketAddress target = address;
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channel(channelClass.orElseThrow())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .handler(tls.isEmpty() ? AuthConnectionHandler.INSTANCE : new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            int port = target instanceof InetSocketAddress inet ? inet.getPort() : -1;
            SslHandler ssl = tls.get().newHandler(ch.alloc(), tlsName, port, false);
            ssl.setHandshakeTimeout(connectTimeoutMillis, TimeUnit.MILLISECONDS);
            handshakes.incrementAndGet();
            ch.pipeline().addLast(ssl, AuthConnectionHandler.INSTANCE);
          }
        })
        // The address was resolved when the configuration was read (or by the non-blocking resolver since).
        .disableResolver();
    ChannelFuture connecting;
    try {
      connecting = OutboundSockets.connect(bootstrap, target);
    } catch (OutboundSockets.NoSocketException e) {
      gate.release(loop);
      throw e;
    }
    Channel channel = connecting.channel();
    channel.closeFuture().addListener(f -> {
      gate.release(loop);
      pool.forget(loop, channel);
    });
    Promise<Channel> ready = loop.newPromise();
    connecting.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        ready.tryFailure(f.cause());
        return;
      }
      SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
      if (ssl == null) {
        ready.trySuccess(f.channel());
        return;
      }
      ssl.handshakeFuture().addListener(h -> {
        if (h.isSuccess()) {
          ready.trySuccess(f.channel());
        } else {
          f.channel().close();
          ready.tryFailure(h.cause());
        }
      });
    });
    return ready;
  }

  private String peerName(SocketAddress address) {
    String scheme = service.https() ? "https://" : "";
    if (address instanceof DomainSocketAddress unix) {
      return "unix:" + unix.path();
    }
    if (address instanceof InetSocketAddress inet) {
      return scheme + NetUtil.toSocketAddressString(inet);
    }
    return scheme + address;
  }
}
