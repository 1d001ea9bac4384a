package io.mailgate.backend;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The version 1 line ({@code proxy_protocol on|v1}, as nginx sends it, proxy-protocol.txt §2.1):
 * {@code PROXY TCP4 <client> <proxy address> <client port> <proxy port>}. A unix-domain client gives
 * {@code PROXY UNKNOWN}. Written here rather than with Netty's HAProxyMessageEncoder, which cannot encode
 * {@code PROXY UNKNOWN}.
 *
 * @param client the client's address and port
 * @param local the address and port the client connected to
 */
public record ProxyProtocolV1Header(SocketAddress client, SocketAddress local) implements ProxyProtocolHeader {

  @Override
  public ChannelFuture writeTo(ChannelHandlerContext ctx) {
    return ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), line()));
  }

  /** The line, CRLF included. */
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

  /** The address as the header writes it: short form, IPv4 written IPv4-mapped in a TCP6 header. */
  static String text(InetAddress address, boolean ipv4) {
    String text = NetUtil.toAddressString(address);
    return !ipv4 && address instanceof Inet4Address ? "::ffff:" + text : text;
  }
}
