package io.mailgate.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Ends a client connection after its last reply without losing that reply. A socket closed while the client's bytes
 * are still unread in it is answered with a reset (RFC 1122 4.2.2.13), and a reset makes the client's kernel drop
 * what it had received but not yet read: a client that pipelined commands behind the one that ended the session (a
 * flood past {@code max_commands}, a login after too many errors) would lose the final reply that says why. So the
 * output is finished first (TLS close_notify, then FIN after the reply), and whatever the client still sends is read
 * and discarded until it closes too or {@link #LINGER_MILLIS} pass, whichever comes first.
 */
final class LingeringClose {

  /** How long a client that keeps sending after the final reply is read and ignored before the socket is closed. */
  static final long LINGER_MILLIS = 2_000;

  private static final String DISCARD = "linger-discard";

  private LingeringClose() {}

  /** Closes {@code channel} once {@code lastReply} is written, lingering as described above. */
  static void after(ChannelFuture lastReply) {
    lastReply.addListener(written -> {
      Channel channel = lastReply.channel();
      if (written.isSuccess()) {
        start(channel);
      } else {
        channel.close();
      }
    });
  }

  private static void start(Channel channel) {
    if (!channel.isActive() || !(channel instanceof DuplexChannel duplex)
        || channel.pipeline().get(DISCARD) != null) {
      channel.close();
      return;
    }
    // First in the pipeline: nothing the client sends now reaches TLS, the framer or the session.
    channel.pipeline().addFirst(DISCARD, new DiscardUntilClosed());
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    ChannelFuture outputFinished = tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
    outputFinished.addListener(notified -> duplex.shutdownOutput().addListener(shut -> {
      if (!shut.isSuccess()) {
        channel.close();
      }
    }));
    channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    channel.config().setAutoRead(true);
  }

  /** Reads and drops the client's remaining input; its end of input (or an error) closes the connection. */
  private static final class DiscardUntilClosed extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof ChannelInputShutdownEvent) {
        ctx.close();
      } else {
        ReferenceCountUtil.release(event);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A reset or read error from a client we are already leaving says nothing new: close without a log line.
      ctx.close();
    }
  }
}
