package io.mailgate.smtp;

import io.mailgate.session.ClientSession;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code smtp_greeting_delay}: holds the greeting back; a client that talks before it is a spam bot ignoring RFC 5321
 * §4.3.1 and gets {@code 503 5.5.0 Improper use of SMTP command pipelining}, then the connection closes (as nginx).
 * Sits just before the framer (after any TLS handler) and removes itself once the greeting is out.
 */
final class SmtpGreetingDelay extends ChannelInboundHandlerAdapter {

  static final String IMPROPER_PIPELINING = "503 5.5.0 Improper use of SMTP command pipelining";

  private final ClientSession session;
  private final String greeting;
  private final Duration delay;
  private ScheduledFuture<?> timer;
  private boolean rejected;

  SmtpGreetingDelay(ClientSession session, String greeting, Duration delay) {
    this.session = session;
    this.greeting = greeting;
    this.delay = delay;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    session.log().setAction("in delay pipelining state");
    timer = ctx.executor().schedule(() -> greet(ctx), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void greet(ChannelHandlerContext ctx) {
    if (rejected || !ctx.channel().isActive()) {
      return;
    }
    session.log().setAction(null);
    ctx.pipeline().remove(this);
    session.writeLine(greeting);
    session.armTimeout();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
    if (rejected) {
      return;
    }
    rejected = true;
    timer.cancel(false);
    // The early bytes are not logged: a bot may well have pipelined AUTH PLAIN with credentials.
    session.log().info("client was rejected before greeting");
    session.writeLineAndClose(IMPROPER_PIPELINING);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
