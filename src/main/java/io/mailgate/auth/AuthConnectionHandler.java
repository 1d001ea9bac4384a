package io.mailgate.auth;

import io.mailgate.transport.Errno;
import io.mailgate.transport.OutboundSockets;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * The only handler of an auth connection: passes events to the exchange that currently owns the connection.
 * A connection without an owner is idle in the pool; anything it reads is out of step, so it is closed.
 */
@ChannelHandler.Sharable
final class AuthConnectionHandler extends ChannelInboundHandlerAdapter {

  /** The shared instance. */
  static final AuthConnectionHandler INSTANCE = new AuthConnectionHandler();

  private static final AttributeKey<AuthExchange> OWNER = AttributeKey.valueOf(AuthConnectionHandler.class, "owner");

  private AuthConnectionHandler() {}

  /** Makes {@code exchange} receive the events of {@code channel}. */
  static void attach(Channel channel, AuthExchange exchange) {
    channel.attr(OWNER).set(exchange);
  }

  /** Stops events of {@code channel} from reaching its exchange. */
  static void detach(Channel channel) {
    channel.attr(OWNER).set(null);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    AuthExchange owner = ctx.channel().attr(OWNER).get();
    if (owner != null && msg instanceof ByteBuf buf) {
      owner.onRead(ctx.channel(), buf);
      return;
    }
    ReferenceCountUtil.release(msg);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    AuthExchange owner = ctx.channel().attr(OWNER).getAndSet(null);
    if (owner != null) {
      owner.onBroken(ctx.channel(), "closed connection prematurely");
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (OutboundSockets.isStrayReadBeforeConnect(ctx.channel(), cause)) {
      return;
    }
    AuthExchange owner = ctx.channel().attr(OWNER).getAndSet(null);
    if (owner != null && TlsFailures.isTls(cause)) {
      // After the handshake, e.g. the alert a TLS 1.3 server sends when it refuses our client certificate.
      owner.onBroken(ctx.channel(), TlsFailures.describe(cause), AuthResult.Unavailable.Kind.TLS);
    } else if (owner != null) {
      owner.onBroken(ctx.channel(), "recv() failed (" + Errno.describe(cause) + ")");
    }
    ctx.close();
  }
}
