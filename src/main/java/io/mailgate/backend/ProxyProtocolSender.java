package io.mailgate.backend;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Opens a backend connection with a PROXY protocol header ({@code proxy_protocol}), so that a backend behind mailgate
 * (Dovecot's {@code haproxy_trusted_networks}, Postfix's {@code smtpd_upstream_proxy_protocol}) sees the real client.
 * The header is written and flushed as soon as the connection is up (or at once when the handler joins a connected
 * channel), before the backend's greeting is awaited and before any TLS handshake (proxy-protocol.txt §2); the handler
 * then leaves the pipeline.
 */
public final class ProxyProtocolSender extends ChannelInboundHandlerAdapter {

  /** The handler's name in the backend pipeline. */
  static final String NAME = "proxy-protocol-sender";

  private final ProxyProtocolHeader header;
  private boolean sent;

  /** A sender of {@code header}. */
  public ProxyProtocolSender(ProxyProtocolHeader header) {
    this.header = header;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      send(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    send(ctx);
    ctx.fireChannelActive();
  }

  private void send(ChannelHandlerContext ctx) {
    if (sent) {
      return;
    }
    sent = true;
    header.writeTo(ctx).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    ctx.pipeline().remove(this);
  }
}
