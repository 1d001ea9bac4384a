package io.mailgate.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.net.SocketAddress;

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
