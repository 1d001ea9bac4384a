package io.mailgate.testkit;

import io.mailgate.transport.Transport;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.SocketException;
import java.util.Optional;

/**
 * A process at its descriptor limit, for one kind of socket: the NIO transport whose outgoing sockets cannot be
 * created, failing exactly as NIO's socket() does then ({@code ChannelException: Failed to open a socket}, caused by
 * {@code Too many open files}). Netty answers such a connect with a placeholder channel on no event loop. The soak
 * (bench/run-soak.sh) reached this for real at 10,000 sessions under a 20,000-descriptor limit.
 */
public final class NoDescriptors {

  private NoDescriptors() {}

  /** The NIO transport, except that no client socket can be created. */
  public static Transport transport() {
    Transport nio = Transport.nio(Optional.empty());
    return new Transport(nio.name(), nio.ioHandlerFactory(), nio.serverSocketChannel(), Channel.class,
        nio.serverDomainSocketChannel(), nio.domainSocketChannel(), nio.datagramChannel(), Optional.empty());
  }

  /** The channel whose socket() fails. Public, for Netty's reflective channel factory. */
  public static final class Channel extends NioSocketChannel {
    public Channel() {
      super(noSocket());
    }

    private static java.nio.channels.SocketChannel noSocket() {
      throw new ChannelException("Failed to open a socket.", new SocketException("Too many open files"));
    }
  }
}
