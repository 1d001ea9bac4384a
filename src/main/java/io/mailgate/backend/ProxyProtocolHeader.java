package io.mailgate.backend;

import io.mailgate.config.ProxyProtocolVersion;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;

/**
 * The PROXY protocol header that opens a backend connection (haproxy's proxy-protocol.txt), one implementation per
 * version. {@link ProxyProtocolSender} writes it.
 */
public sealed interface ProxyProtocolHeader permits ProxyProtocolV1Header, ProxyProtocolV2Header {

  /** The header {@code proxy_protocol} asks for, describing {@code client}. */
  static ProxyProtocolHeader of(ProxyProtocolVersion version, ProxiedClient client) {
    return switch (version) {
      case V1 -> new ProxyProtocolV1Header(client.client(), client.local());
      case V2 -> new ProxyProtocolV2Header(client);
      case OFF -> throw new IllegalArgumentException("proxy_protocol is off");
    };
  }

  /** Writes and flushes the header from {@code ctx} towards the socket. */
  ChannelFuture writeTo(ChannelHandlerContext ctx);
}
