package io.mailgate.auth;

import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/** Opens auth connections on a caller's event loop, each counted against the loop's connection gate. */
final class AuthConnector {

  private final SocketAddress address;
  private final String peer;
  private final Optional<Class<? extends Channel>> channelClass;
  private final ConnectionGate gate;
  private final AuthConnectionPool pool;
  private final int connectTimeoutMillis;

  AuthConnector(SocketAddress address, Transport transport, ConnectionGate gate, AuthConnectionPool pool,
      Duration timeout) {
    this.address = address;
    this.peer = peerName(address);
    this.channelClass = address instanceof DomainSocketAddress
        ? transport.domainSocketChannel()
        : Optional.of(transport.socketChannel());
    this.gate = gate;
    this.pool = pool;
    this.connectTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  /** The auth server as nginx names it in logs: {@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code unix:/path}. */
  String peer() {
    return peer;
  }

  /** Why no connection can be made at all (a unix socket without epoll), or empty. */
  Optional<String> unusable() {
    return channelClass.isPresent()
        ? Optional.empty()
        : Optional.of("auth http server " + peer + ": unix sockets need the epoll transport");
  }

  /**
   * Starts connecting on {@code loop}; null when the loop has no connection slot left. The slot is returned when
   * the channel closes. Only when {@link #unusable()} is empty; on {@code loop} only.
   */
  ChannelFuture connect(EventLoop loop) {
    if (!gate.tryAcquire(loop)) {
      return null;
    }
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channel(channelClass.orElseThrow())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .handler(AuthConnectionHandler.INSTANCE)
        // The address was resolved when the configuration was read; no DNS on the event loop.
        .disableResolver();
    ChannelFuture connecting = bootstrap.connect(address);
    Channel channel = connecting.channel();
    if (socketFailed(connecting)) {
      // A placeholder channel that never reached the loop: it never closes, so the slot is returned here.
      gate.release(loop);
      return connecting;
    }
    channel.closeFuture().addListener(f -> {
      gate.release(loop);
      pool.forget(loop, channel);
    });
    return connecting;
  }

  /**
   * Whether {@code connecting} failed before there was a socket: socket() refused (24: Too many open files at the
   * descriptor limit) or the channel could not be registered. Netty then returns a placeholder channel that is on no
   * event loop: it must not be closed (that throws) and its listeners run on Netty's global executor, not the loop.
   */
  static boolean socketFailed(ChannelFuture connecting) {
    return connecting.isDone() && !connecting.isSuccess() && !connecting.channel().isRegistered();
  }

  /** A short cause for a log line: the exception's message without Netty's appended address. */
  static String describe(Throwable cause) {
    String message = cause.getMessage();
    if (message == null || message.isEmpty()) {
      return cause.getClass().getSimpleName();
    }
    int annotation = message.indexOf(": /");
    return annotation > 0 ? message.substring(0, annotation) : message;
  }

  private static String peerName(SocketAddress address) {
    if (address instanceof DomainSocketAddress unix) {
      return "unix:" + unix.path();
    }
    if (address instanceof InetSocketAddress inet) {
      return NetUtil.toSocketAddressString(inet);
    }
    return String.valueOf(address);
  }
}
