package io.mailgate.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.NotYetConnectedException;

/**
 * Outbound connects (auth service, backends) that treat a socket that cannot be created as an ordinary failure.
 * When socket() itself fails (EMFILE at the descriptor limit), {@link Bootstrap#connect} returns a future that is
 * already failed, of a placeholder channel that was never registered: its listeners run on Netty's global executor
 * thread instead of the caller's event loop, its {@code close()} throws, and its close future never completes (so a
 * connection slot released there would never come back). The caller gets {@link NoSocketException} instead, on its
 * own thread, with nothing to close.
 */
public final class OutboundSockets {

  private OutboundSockets() {}

  /** No socket could be created for an outbound connection; the message is nginx's {@code socket() failed (...)}. */
  public static final class NoSocketException extends IOException {
    private static final long serialVersionUID = 1L;

    NoSocketException(Throwable cause) {
      super("socket() failed (" + Errno.describe(cause) + ")", cause);
    }
  }

  /**
   * Whether {@code cause}, reaching the pipeline of {@code channel}, is a read of a socket whose connect has not
   * completed (ENOTCONN): Netty's epoll transport sometimes reads a socket that has not even been bound yet, an event
   * meant for the socket that held the same descriptor number before it. Seen in the soak, 2 to 4 times in 75,000
   * backend connects under load, with a capture showing no packet at all for those connects. Nothing is wrong with
   * the connect: it must go on, and its own outcome decide (it used to fail the login with "107: Transport endpoint
   * is not connected").
   */
  public static boolean isStrayReadBeforeConnect(Channel channel, Throwable cause) {
    return cause instanceof NotYetConnectedException && !channel.isActive();
  }

  /**
   * {@code bootstrap.connect(address)}, called on the bootstrap's event loop.
   *
   * @throws NoSocketException when no channel could be created and registered (nothing is left to close)
   */
  public static ChannelFuture connect(Bootstrap bootstrap, SocketAddress address) throws NoSocketException {
    ChannelFuture connecting = bootstrap.connect(address);
    // On the loop, registration happens inside connect(): a channel not registered by now never will be.
    if (connecting.isDone() && !connecting.isSuccess() && !connecting.channel().isRegistered()) {
      throw new NoSocketException(connecting.cause());
    }
    return connecting;
  }
}
