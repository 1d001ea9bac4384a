package io.mailgate.transport;

import io.mailgate.config.ListenConfig;
import io.mailgate.session.ClientSession;
import io.mailgate.session.ClientTls;
import io.mailgate.session.ProxyProtocolReader;
import io.mailgate.session.ServerRuntime;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds every {@code listen} of every server and starts a {@link ClientSession} per accepted connection. Binding happens
 * at start-up, on the main thread, before the pid file is written.
 */
public final class Listeners {

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final EventLoopGroup group;
  private final List<Channel> bound = new ArrayList<>();

  /** Listeners whose connections are served by {@code group}. */
  public Listeners(EventLoopGroup group) {
    this.group = group;
  }

  /**
   * Binds all of {@code server}'s listen addresses.
   *
   * @throws BindException naming the address, nginx-style ({@code bind() to 127.0.0.1:143 failed (...)})
   */
  public void bind(ServerRuntime server) throws BindException {
    for (ListenConfig listen : server.config().listens()) {
      bound.add(bindOne(server, listen));
    }
  }

  private Channel bindOne(ServerRuntime server, ListenConfig listen) throws BindException {
    Transport transport = server.transport();
    SocketAddress address = listen.address();
    boolean unix = address instanceof DomainSocketAddress;
    ServerBootstrap bootstrap = new ServerBootstrap().group(group);
    if (unix) {
      bootstrap.channel(transport.serverDomainSocketChannel()
          .orElseThrow(() -> new BindException("bind() to " + listen.text() + " failed (unix sockets need epoll)")));
      new java.io.File(((DomainSocketAddress) address).path()).delete();
    } else {
      bootstrap.channel(transport.serverSocketChannel());
      bootstrap.option(ChannelOption.SO_REUSEADDR, true);
      // TCP_NODELAY is not set here: Netty's socket channels (epoll and NIO) turn it on when they are created, and
      // a second setsockopt per accepted connection is measurable in the login storm (bench/README.md).
      listen.soKeepalive().ifPresent(k -> bootstrap.childOption(ChannelOption.SO_KEEPALIVE, k.on()));
      listen.sndbuf().ifPresent(size -> bootstrap.childOption(ChannelOption.SO_SNDBUF, size));
    }
    bootstrap.option(ChannelOption.SO_BACKLOG, listen.backlog());
    listen.rcvbuf().ifPresent(size -> bootstrap.option(ChannelOption.SO_RCVBUF, size));
    bootstrap.childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        accept(server, listen, ch);
      }
    });
    ChannelFuture bind = bootstrap.bind(address).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new BindException("bind() to " + listen.text() + " failed (" + bind.cause().getMessage() + ")");
    }
    return bind.channel();
  }

  private static void accept(ServerRuntime server, ListenConfig listen, Channel ch) {
    if (!server.gate().tryAcquire(ch.eventLoop())) {
      LOG.error("worker_connections are not enough");
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> server.gate().release(ch.eventLoop()));
    ClientSession session = new ClientSession(ch, server, clientIp(ch.remoteAddress()), listen.text());
    session.log().accepted();
    Runnable start = listen.ssl()
        // Implicit TLS (IMAPS, POP3S, SMTPS): the greeting waits for the handshake.
        ? () -> ClientTls.startImplicit(session, server.tls().orElseThrow(), () -> server.protocol().startSession(session))
        : () -> server.protocol().startSession(session);
    if (listen.proxyProtocol()) {
      // The load balancer's header comes first, before any TLS.
      ProxyProtocolReader.install(session, start);
    } else {
      start.run();
    }
  }

  /** The client's address as text, without DNS (never {@code getHostName()} on an event loop). */
  static String clientIp(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      // RFC 5952 text (::1, 2001:db8::1), as nginx prints it, not Java's uncompressed form.
      return NetUtil.toAddressString(inet.getAddress());
    }
    return "unix:";
  }

  /** Closes every listening socket; sessions already accepted go on until the event loops stop. */
  public void close() {
    for (Channel channel : bound) {
      channel.close().awaitUninterruptibly();
      if (channel.localAddress() instanceof DomainSocketAddress unix) {
        new java.io.File(unix.path()).delete();
      }
    }
    bound.clear();
  }

  /** A listen address could not be bound. */
  public static final class BindException extends Exception {
    BindException(String message) {
      super(message);
    }
  }
}
