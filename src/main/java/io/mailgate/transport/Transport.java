package io.mailgate.transport;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Optional;

/**
 * The I/O transport: native epoll where it loads, NIO otherwise. Channel classes must match the event-loop
 * group's {@link IoHandlerFactory}, so every bootstrap takes its classes from here.
 *
 * @param name {@code epoll} or {@code nio}, logged at start-up
 * @param datagramChannel UDP sockets (the DNS resolver's)
 * @param unavailabilityCause why epoll did not load, when NIO was chosen
 */
public record Transport(
    String name,
    IoHandlerFactory ioHandlerFactory,
    Class<? extends ServerChannel> serverSocketChannel,
    Class<? extends Channel> socketChannel,
    Optional<Class<? extends ServerChannel>> serverDomainSocketChannel,
    Optional<Class<? extends Channel>> domainSocketChannel,
    Class<? extends DatagramChannel> datagramChannel,
    Optional<Throwable> unavailabilityCause) {

  /** Epoll if available (and not disabled with {@code -Dmailgate.transport=nio}), else NIO. */
  public static Transport detect() {
    boolean forceNio = "nio".equals(System.getProperty("mailgate.transport"));
    if (!forceNio && Epoll.isAvailable()) {
      return new Transport(
          "epoll",
          EpollIoHandler.newFactory(),
          EpollServerSocketChannel.class,
          EpollSocketChannel.class,
          Optional.of(EpollServerDomainSocketChannel.class),
          Optional.of(EpollDomainSocketChannel.class),
          EpollDatagramChannel.class,
          Optional.empty());
    }
    return nio(forceNio ? Optional.empty() : Optional.ofNullable(Epoll.unavailabilityCause()));
  }

  /** NIO: portable; no unix-domain sockets. */
  public static Transport nio(Optional<Throwable> why) {
    return new Transport(
        "nio",
        NioIoHandler.newFactory(),
        NioServerSocketChannel.class,
        NioSocketChannel.class,
        Optional.empty(),
        Optional.empty(),
        NioDatagramChannel.class,
        why);
  }

  /** A new event-loop group of this transport with {@code threads} threads named {@code prefix-N}. */
  public MultiThreadIoEventLoopGroup newGroup(int threads, String prefix) {
    return new MultiThreadIoEventLoopGroup(
        threads, new io.netty.util.concurrent.DefaultThreadFactory(prefix, true), ioHandlerFactory);
  }
}
