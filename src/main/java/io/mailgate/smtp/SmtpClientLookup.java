package io.mailgate.smtp;

import io.mailgate.resolver.ClientHost;
import io.mailgate.resolver.ClientNameResolver;
import io.mailgate.session.ClientSession;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * {@code resolver}: the greeting waits for the client's host name, as in nginx, which stops reading meanwhile. What the
 * client sends before the greeting is held (reading stops at the first bytes) and passed on after it, so it meets the
 * {@code smtp_greeting_delay} check or the command parser exactly as nginx's postponed read would. Sits just before the
 * framer and removes itself once the greeting is out.
 */
final class SmtpClientLookup extends ChannelInboundHandlerAdapter {

  private final ClientSession session;
  private final SmtpFrontendHandler frontend;
  private final ClientNameResolver resolver;
  private final InetAddress client;
  private final Duration timeout;
  private final Runnable greet;
  private final Queue<Object> held = new ArrayDeque<>();
  private boolean stoppedReading;
  private boolean done;

  /**
   * @param greet sends the greeting (or starts the greeting delay) once the name is known
   */
  SmtpClientLookup(ClientSession session, SmtpFrontendHandler frontend, ClientNameResolver resolver,
      InetAddress client, Duration timeout, Runnable greet) {
    this.session = session;
    this.frontend = frontend;
    this.resolver = resolver;
    this.client = client;
    this.timeout = timeout;
    this.greet = greet;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    session.log().setAction("in resolving client address");
    resolver.lookup(client, timeout, ctx.executor()).addListener((Future<ClientHost> f) -> resolved(ctx, f.getNow()));
  }

  private void resolved(ChannelHandlerContext ctx, ClientHost host) {
    if (done) {
      // The client left meanwhile.
      return;
    }
    done = true;
    host.failure().ifPresent(failure -> {
      session.log().setAction(failure.action());
      session.log().error(failure.message());
    });
    session.log().setAction(null);
    session.log().debug("client host name: " + host.name());
    frontend.setClientHost(host.name());
    greet.run();
    boolean fired = !held.isEmpty();
    Object msg;
    while ((msg = held.poll()) != null) {
      ctx.fireChannelRead(msg);
    }
    if (fired) {
      ctx.fireChannelReadComplete();
    }
    ctx.pipeline().remove(this);
    // Turned back on only after the held input went on, so nothing newer overtakes it.
    if (stoppedReading && !session.isClosing() && ctx.channel().isActive()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (done) {
      ctx.fireChannelRead(msg);
      return;
    }
    held.add(msg);
    if (ctx.channel().config().isAutoRead()) {
      stoppedReading = true;
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (done) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    done = true;
    releaseHeld();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  private void releaseHeld() {
    Object msg;
    while ((msg = held.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
