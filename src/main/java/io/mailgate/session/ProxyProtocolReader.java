package io.mailgate.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * Reads the PROXY protocol header (version 1 text or version 2 binary, HAProxy's proxy-protocol.txt) that opens every
 * connection of a {@code listen ... proxy_protocol}, then starts the session: the greeting, or the TLS handshake of an
 * implicit-TLS listener. The header must come within the server's {@code timeout}; a connection without a valid one
 * is closed without a word, as nginx does (anything sent before would go to a load balancer, not a mail client).
 *
 * <p>Bytes the client sent right behind the header (a TLS ClientHello, a pipelined command) are held until the session
 * is set up and then fed from the head of the pipeline, so they pass through the TLS handler added there.
 */
public final class ProxyProtocolReader extends ChannelInboundHandlerAdapter {

  private static final String DECODER = "proxy-protocol-decoder";
  private static final String READER = "proxy-protocol-reader";
  /** Both the error-log message and the access log's close reason of a connection whose header is refused. */
  private static final String BROKEN_HEADER = "broken PROXY protocol header";

  private final ClientSession session;
  private final Runnable startSession;
  private boolean headerRead;
  private CompositeByteBuf early;

  private ProxyProtocolReader(ClientSession session, Runnable startSession) {
    this.session = session;
    this.startSession = startSession;
  }

  /** Waits for the header on {@code session}'s channel, then runs {@code startSession} on its event loop. */
  public static void install(ClientSession session, Runnable startSession) {
    session.log().setAction("reading PROXY protocol");
    session.armTimeout();
    session.channel().pipeline()
        .addLast(DECODER, new HAProxyMessageDecoder())
        .addLast(READER, new ProxyProtocolReader(session, startSession));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (session.isClosing()) {
      // A broken first line closes the session, and the decoder then decodes what it still holds as the input
      // closes: a valid header behind the broken line must not name the client or start the session.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HAProxyMessage header) {
      try {
        headerRead = true;
        session.acceptProxyHeader(ProxyHeader.of(header));
      } finally {
        header.release();
      }
    } else if (msg instanceof ByteBuf bytes && headerRead) {
      // The decoder hands over what followed the header when it leaves the pipeline.
      if (early == null) {
        early = ctx.alloc().compositeBuffer();
      }
      early.addComponent(true, bytes);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // The decoder removes itself right after the header; until it has, bytes may still be on their way to us.
    if (!headerRead || session.isClosing() || ctx.pipeline().get(DECODER) != null) {
      return;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    ByteBuf pending = early;
    early = null;
    pipeline.remove(this);
    session.disarmTimeout();
    session.log().setAction(null);
    startSession.run();
    if (pending != null) {
      pipeline.fireChannelRead(pending);
      pipeline.fireChannelReadComplete();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (session.isClosing()) {
      // Netty's HAProxyMessageDecoder closes the channel when a header is broken, then decodes the bytes it still
      // holds once more as the input closes and fails again: one broken header, one error-log line.
      return;
    }
    if (cause instanceof DecoderException) {
      // Never the header's text in the log: a client that sent a command instead may have sent its password.
      session.log().error(BROKEN_HEADER);
      session.record().closeReason(BROKEN_HEADER);
    } else if (cause instanceof IOException) {
      session.log().info("recv() failed (" + cause.getMessage() + ")");
    } else {
      session.log().error("PROXY protocol read failed", cause);
    }
    session.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!session.isClosing()) {
      session.log().info("client closed connection");
    }
    session.disarmTimeout();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (early != null) {
      early.release();
      early = null;
    }
  }
}
