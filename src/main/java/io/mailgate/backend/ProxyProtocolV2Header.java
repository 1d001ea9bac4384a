package io.mailgate.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary version 2 header ({@code proxy_protocol v2}, proxy-protocol.txt §2.2), encoded by Netty's
 * HAProxyMessageEncoder: command PROXY over TCP4/TCP6 with the client as source and the local address as destination
 * (as version 1), then the TLVs of §2.2.1-2.2.5 a mail backend can use:
 * <ul>
 *   <li>{@code PP2_TYPE_AUTHORITY} (0x02): the SNI host name the client sent;
 *   <li>{@code PP2_TYPE_UNIQUE_ID} (0x05): mailgate's session id, to join the backend's log with ours;
 *   <li>{@code PP2_TYPE_SSL} (0x20) when the client used TLS: {@code PP2_CLIENT_SSL}, plus {@code PP2_CLIENT_CERT_CONN}
 *       and {@code PP2_CLIENT_CERT_SESS} with a verified client certificate; {@code verify} is 0 only then (§2.2.5:
 *       "zero if the client presented a certificate and it was successfully verified"); sub-TLVs
 *       {@code PP2_SUBTYPE_SSL_VERSION} (0x21) and {@code PP2_SUBTYPE_SSL_CIPHER} (0x23).
 * </ul>
 * A unix-domain client has no address the header can carry as TCP: it gets command LOCAL with family UNSPEC (§2.2:
 * the receiver then uses the connection's own addresses), as haproxy sends for its health checks.
 */
public record ProxyProtocolV2Header(ProxiedClient connection) implements ProxyProtocolHeader {

  private static final String ENCODER = "proxy-protocol-v2-encoder";

  static final byte PP2_TYPE_AUTHORITY = 0x02;
  static final byte PP2_TYPE_UNIQUE_ID = 0x05;
  static final byte PP2_SUBTYPE_SSL_CIPHER = 0x23;
  static final byte PP2_CLIENT_SSL = 0x01;
  static final byte PP2_CLIENT_CERT_CONN = 0x02;
  static final byte PP2_CLIENT_CERT_SESS = 0x04;

  @Override
  public ChannelFuture writeTo(ChannelHandlerContext ctx) {
    // The encoder sits in front of the writer just for this write: it encodes synchronously, then leaves.
    ctx.pipeline().addBefore(ctx.name(), ENCODER, HAProxyMessageEncoder.INSTANCE);
    try {
      return ctx.writeAndFlush(message());
    } finally {
      ctx.pipeline().remove(ENCODER);
    }
  }

  /** The message to encode; the caller must write or release it. */
  HAProxyMessage message() {
    if (!(connection.client() instanceof InetSocketAddress from) || from.getAddress() == null
        || !(connection.local() instanceof InetSocketAddress to) || to.getAddress() == null) {
      return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN,
          null, null, 0, 0);
    }
    boolean ipv4 = from.getAddress() instanceof Inet4Address && to.getAddress() instanceof Inet4Address;
    return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
        ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
        ProxyProtocolV1Header.text(from.getAddress(), ipv4), ProxyProtocolV1Header.text(to.getAddress(), ipv4),
        from.getPort(), to.getPort(), tlvs());
  }

  private List<HAProxyTLV> tlvs() {
    List<HAProxyTLV> tlvs = new ArrayList<>();
    connection.tls().flatMap(ProxiedClient.Tls::serverName)
        .ifPresent(name -> tlvs.add(new HAProxyTLV(PP2_TYPE_AUTHORITY, ascii(name))));
    tlvs.add(new HAProxyTLV(PP2_TYPE_UNIQUE_ID, ascii(connection.sessionId())));
    connection.tls().ifPresent(tls -> {
      List<HAProxyTLV> sub = List.of(
          new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_SSL_VERSION, ascii(tls.protocol())),
          new HAProxyTLV(PP2_SUBTYPE_SSL_CIPHER, ascii(tls.cipher())));
      byte client = tls.verifiedCertificate()
          ? (byte) (PP2_CLIENT_SSL | PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS)
          : PP2_CLIENT_SSL;
      tlvs.add(new HAProxySSLTLV(tls.verifiedCertificate() ? 0 : 1, client, sub));
    });
    return tlvs;
  }

  /**
   * A TLV's value. Unpooled heap bytes, not the channel's allocator: Netty's HAProxySSLTLV never releases the sub-TLVs
   * it encapsulates, so pooled buffers there would leak.
   */
  private static ByteBuf ascii(String text) {
    return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
  }
}
