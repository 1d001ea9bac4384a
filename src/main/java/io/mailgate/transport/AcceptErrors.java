package io.mailgate.transport;

import io.mailgate.backend.ConnectErrors;
import io.mailgate.log.NginxLevels;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's failed accept(2), most often {@code 24: Too many open files} at the descriptor limit: one error-log
 * line as nginx writes it ({@code accept4() failed (24: Too many open files)} at crit), and accepting paused for a
 * second, as nginx pauses its accept events, so the event loop does not spin on a backlog it cannot take. Without
 * it Netty's own acceptor pauses too but the exception goes on to the pipeline's end, which logs a stack trace at
 * warn for every failed accept. Sits on the server channel, before Netty's acceptor, and keeps such errors from it.
 */
final class AcceptErrors extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(AcceptErrors.class);
  /** How long accepting pauses after a failure (Netty's acceptor uses the same second). */
  static final long PAUSE_MILLIS = 1000;

  private final String listen;

  /** For the listener configured as {@code listen} (its text, for the log line). */
  AcceptErrors(String listen) {
    this.listen = listen;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    ChannelConfig config = ctx.channel().config();
    if (!config.isAutoRead()) {
      return; // already paused: one line per pause
    }
    LOG.error(NginxLevels.CRIT, "accept4() failed ({}) on {}, accepting again in {} ms",
        ConnectErrors.describe(cause), listen, PAUSE_MILLIS);
    config.setAutoRead(false);
    ctx.channel().eventLoop().schedule(() -> {
      config.setAutoRead(true);
    }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** A new handler for one listener. */
  static ChannelHandler forListener(String listen) {
    return new AcceptErrors(listen);
  }
}
