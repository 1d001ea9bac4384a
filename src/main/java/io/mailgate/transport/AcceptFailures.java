package io.mailgate.transport;

import io.mailgate.log.NginxLevels;
import io.mailgate.throttle.RateLimitedLog;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a listening socket: an accept that fails (most often with EMFILE, the descriptor limit reached) stops accepting
 * for half a second, as nginx does ({@code accept_mutex_delay}'s 500 ms), and is logged nginx's way,
 * {@code accept4() failed (24: Too many open files)}, at most once per 10 s with the count of failures in between.
 * Connections arriving meanwhile wait in the listen backlog and are served once descriptors are free again.
 *
 * <p>Without it, Netty's acceptor pauses for a second and its pipeline tail logs a warning with a stack trace at every
 * retry. Pausing is what prevents a busy loop: the pending connection keeps the socket readable, and a level-triggered
 * poller (NIO) would report it again at once. The handler sits before Netty's acceptor and does not pass the failure
 * on. One per listening socket; used on its loop only.
 */
final class AcceptFailures extends ChannelInboundHandlerAdapter {

  /** How long accepting pauses after a failure: nginx's {@code accept_mutex_delay} default. */
  static final long PAUSE_MILLIS = 500;

  private static final Logger LOG = LoggerFactory.getLogger(AcceptFailures.class);

  private final RateLimitedLog lines = new RateLimitedLog(TimeUnit.SECONDS.toNanos(10));
  private final String listen;
  private boolean paused;
  /**
   * Made before it is needed: at the descriptor limit, loading a class may itself fail for want of a descriptor
   * (Netty's acceptor does the same, netty/netty#1328).
   */
  private Runnable resume;

  /** For the socket listening on {@code listen} (as configured, for the log line). */
  AcceptFailures(String listen) {
    this.listen = listen;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    resume = () -> {
      paused = false;
      ctx.channel().config().setAutoRead(true);
    };
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    long held = lines.tryAcquire();
    if (held >= 0) {
      String more = held > 0 ? " (" + held + " more accept failures not logged)" : "";
      if (Errno.isDescriptorLimit(cause)) {
        // nginx logs the descriptor limits at crit, anything else at alert (ngx_event_accept).
        LOG.error(NginxLevels.CRIT, "accept4() failed ({}) on {}{}", Errno.describe(cause), listen, more);
      } else {
        LOG.error(NginxLevels.ALERT, "accept4() failed ({}) on {}{}", Errno.describe(cause), listen, more);
      }
    }
    if (!paused) {
      paused = true;
      ctx.channel().config().setAutoRead(false);
      ctx.executor().schedule(resume, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }
}
