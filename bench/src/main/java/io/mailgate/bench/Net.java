package io.mailgate.bench;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The fastest transport this machine has: native epoll, else NIO (so the tools still run off Linux). */
public final class Net {

  private Net() {}

  /** True when the native epoll transport loaded. */
  public static boolean epoll() {
    return Epoll.isAvailable();
  }

  /** An event-loop group of {@code threads} daemon threads named {@code name-N}. */
  public static EventLoopGroup group(int threads, String name) {
    IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
  }

  /** The server channel class matching {@link #group}. */
  public static Class<? extends ServerChannel> serverChannel() {
    return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The client channel class matching {@link #group}. */
  public static Class<? extends SocketChannel> clientChannel() {
    return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * Read sizing for the benchmark peers: small reads for login lines, growing to 1 MiB for message transfers, so
   * that a 1 MiB FETCH or APPEND costs the fake peer a few system calls rather than sixteen 64 KiB reads. Buffers
   * exist only during a read, so idle sessions cost nothing here.
   */
  public static RecvByteBufAllocator recvAllocator() {
    return new AdaptiveRecvByteBufAllocator(512, 2048, 1 << 20);
  }

  /** {@code "epoll"} or {@code "nio"}, for result lines. */
  public static String name() {
    return epoll() ? "epoll" : "nio";
  }
}
