package io.mailgate.session;

import io.mailgate.auth.AuthRequest;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.util.List;
import java.util.Optional;

/**
 * The addresses a load balancer put in a PROXY protocol header (HAProxy's proxy-protocol.txt) in front of a client
 * connection: the real client (source) and the address it connected to (destination).
 */
public record ProxyHeader(String sourceAddress, int sourcePort, String destinationAddress, int destinationPort) {

  /**
   * The addresses of a TCP over IPv4 or IPv6 header; empty for the others ({@code PROXY UNKNOWN}, version 2's
   * {@code LOCAL} health checks, unix or UDP sources), which leave the connection's own addresses in place, as nginx
   * does. A version 1 address is kept as the load balancer wrote it; a version 2 (binary) one is written in the
   * RFC 5952 form nginx prints.
   */
  static Optional<ProxyHeader> of(HAProxyMessage message) {
    HAProxyProxiedProtocol protocol = message.proxiedProtocol();
    if (protocol != HAProxyProxiedProtocol.TCP4 && protocol != HAProxyProxiedProtocol.TCP6) {
      return Optional.empty();
    }
    boolean binary = message.protocolVersion() == HAProxyProtocolVersion.V2;
    return Optional.of(new ProxyHeader(
        binary ? canonical(message.sourceAddress()) : message.sourceAddress(), message.sourcePort(),
        binary ? canonical(message.destinationAddress()) : message.destinationAddress(), message.destinationPort()));
  }

  /** nginx's auth_http headers for a connection that came with this header, in nginx's order. */
  public List<AuthRequest.Header> authHeaders() {
    return List.of(
        new AuthRequest.Header("Proxy-Protocol-Addr", sourceAddress),
        new AuthRequest.Header("Proxy-Protocol-Port", Integer.toString(sourcePort)),
        new AuthRequest.Header("Proxy-Protocol-Server-Addr", destinationAddress),
        new AuthRequest.Header("Proxy-Protocol-Server-Port", Integer.toString(destinationPort)));
  }

  private static String canonical(String address) {
    return NetUtil.toAddressString(NetUtil.createInetAddressFromIpAddressString(address));
  }
}
