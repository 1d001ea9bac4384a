package io.mailgate.backend;

import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Opens a backend connection on the client's event loop (no thread hop, as Velocity does) and runs a
 * {@link BackendLogin} on it, bounded by one timeout from connect to the login's last reply. The connection counts
 * against {@code worker_connections}. With implicit TLS ({@link BackendLogin#tls()}) the TLS handler goes first.
 */
public final class BackendConnector {

  /** Names of the backend pipeline's handlers, replaced by the relay after the login. */
  public static final String FRAMER = "framer";
  /** See {@link #FRAMER}. */
  public static final String LOGIN = "backend-login";

  private final Transport transport;
  private final ConnectionGate gate;

  /** A connector using {@code transport}'s channel classes and counting connections in {@code gate}. */
  public BackendConnector(Transport transport, ConnectionGate gate) {
    this.transport = transport;
    this.gate = gate;
  }

  /**
   * One connection attempt: the channel (absent when no connection slot was free) and the login's outcome, which
   * completes on {@code loop} with the client's reply or fails with a {@link BackendLoginException}.
   */
  public record Attempt(Optional<Channel> channel, Promise<String> result) {}

  /** The backend login's line framer: CRLF or LF, at most {@code lineLimit} bytes, line ends stripped. */
  static LineBasedFrameDecoder newFramer(int lineLimit) {
    return new LineBasedFrameDecoder(lineLimit, true, false);
  }

  /**
   * Connects to {@code address} and logs in with {@code login} (already {@link BackendLogin#init initialised}).
   *
   * @param timeout bounds the connect and the whole login ({@code timeout})
   * @param lineLimit longest backend response line during the login ({@code proxy_buffer})
   * @param proxyLine the PROXY protocol header that opens the connection ({@code proxy_protocol on}), if any
   */
  public Attempt connect(EventLoop loop, InetSocketAddress address, BackendLogin login, Duration timeout,
      int lineLimit, Optional<ProxyProtocolSender> proxyLine) {
    Promise<String> result = login.result();
    if (!gate.tryAcquire(loop)) {
      result.tryFailure(new BackendLoginException(BackendFailure.INTERNAL, "worker_connections are not enough",
          Optional.empty()));
      return new Attempt(Optional.empty(), result);
    }
    login.lineLimit(lineLimit);
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channel(transport.socketChannel())
        // No Netty connect timer: the login's deadline below covers the connect too, and Netty's timer object would
        // stay referenced by the channel for the whole proxied session.
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            // The PROXY header precedes everything, the TLS handshake included (proxy-protocol.txt §2).
            proxyLine.ifPresent(sender -> sender.addTo(ch.pipeline()));
            // Implicit TLS: the handshake comes first, so the greeting is read over TLS.
            login.tls().filter(BackendTlsPlan::implicit)
                .ifPresent(tls -> ch.pipeline().addLast(BackendLogin.TLS, tls.newHandler(ch.alloc())));
            ch.pipeline().addLast(FRAMER, newFramer(lineLimit));
            ch.pipeline().addLast(LOGIN, login);
          }
        });
    ChannelFuture connect = bootstrap.connect(address);
    Channel channel = connect.channel();
    channel.closeFuture().addListener(f -> gate.release(loop));
    ScheduledFuture<?> deadline = loop.schedule(() -> {
      result.tryFailure(new BackendLoginException(BackendFailure.TIMEOUT, "upstream timed out", Optional.empty()));
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    result.addListener(f -> deadline.cancel(false));
    connect.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        String why = f.cause() == null ? "unknown" : f.cause().getMessage();
        result.tryFailure(new BackendLoginException(BackendFailure.CONNECT, "connect() failed (" + why + ")",
            Optional.empty()));
      }
    });
    return new Attempt(Optional.of(channel), result);
  }
}
