package io.mailgate.backend;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Opens a backend connection with a PROXY protocol version 1 header ({@code proxy_protocol on}, as nginx sends it):
 * {@code PROXY TCP4 <client> <proxy address> <client port> <proxy port>}, so that a backend behind mailgate (Dovecot's
 * {@code haproxy_trusted_networks}, Postfix's {@code smtpd_upstream_proxy_protocol}) sees the real client. A unix-domain
 * client gives {@code PROXY UNKNOWN}. The header is written and flushed as soon as the connection is up, before the
 * backend's greeting is awaited and before any TLS handshake; the handler then leaves the pipeline.
 */
public final class ProxyProtocolSender extends ChannelInboundHandlerAdapter {

  private static final String SENDER = "proxy-protocol-sender";

  private final SocketAddress client;
  private final SocketAddress local;

  /**
   * @param client the client's address and port (the real client's, after {@code set_real_ip_from})
   * @param local the address and port the client connected to
   */
  public ProxyProtocolSender(SocketAddress client, SocketAddress local) {
    this.client = client;
    this.local = local;
  }

  /** Puts the sender at the head of a new backend channel's pipeline. */
  void addTo(ChannelPipeline pipeline) {
    pipeline.addFirst(SENDER, this);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), line())).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    ctx.pipeline().remove(this);
    ctx.fireChannelActive();
  }

  /**
   * The version 1 line (proxy-protocol.txt §2.1). Written here rather than with Netty's HAProxyMessageEncoder, which
   * cannot encode {@code PROXY UNKNOWN}.
   */
  String line() {
    if (!(client instanceof InetSocketAddress from) || from.getAddress() == null
        || !(local instanceof InetSocketAddress to) || to.getAddress() == null) {
      return "PROXY UNKNOWN\r\n";
    }
    // Both addresses must be of one family: an IPv4 one beside an IPv6 one is written IPv4-mapped.
    boolean ipv4 = from.getAddress() instanceof Inet4Address && to.getAddress() instanceof Inet4Address;
    return "PROXY " + (ipv4 ? "TCP4 " : "TCP6 ") + text(from.getAddress(), ipv4) + " " + text(to.getAddress(), ipv4)
        + " " + from.getPort() + " " + to.getPort() + "\r\n";
  }

  private static String text(InetAddress address, boolean ipv4) {
    String text = NetUtil.toAddressString(address);
    return !ipv4 && address instanceof Inet4Address ? "::ffff:" + text : text;
  }
}
