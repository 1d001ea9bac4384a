package io.mailgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.config.ProxyProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The PROXY protocol headers mailgate opens backend connections with ({@link ProxyProtocolV1Header},
 * {@link ProxyProtocolV2Header}), written as {@link ProxyProtocolSender} writes them and read back by Netty's
 * {@link HAProxyMessageDecoder}, as a backend (Dovecot, Postfix, HAProxy) reads them.
 */
class ProxyProtocolHeaderFuzzTest {

  private static final int MAX_TEXT = 64;
  private static final int MAX_SESSION_ID = 128;
  /** proxy-protocol.txt §2.2.5. */
  private static final byte PP2_TYPE_SSL = 0x20;
  private static final byte PP2_SUBTYPE_SSL_VERSION = 0x21;

  /** Fuzzed addresses, ports, TLS and session id come back from the header as they went in. */
  @FuzzTest(maxDuration = "5s")
  void headersDecodeToTheirValues(FuzzedDataProvider data) throws UnknownHostException {
    ProxyProtocolVersion version = data.consumeBoolean() ? ProxyProtocolVersion.V1 : ProxyProtocolVersion.V2;
    InetSocketAddress client = address(data);
    InetSocketAddress local = address(data);
    Optional<ProxiedClient.Tls> tls = data.consumeBoolean()
        ? Optional.of(new ProxiedClient.Tls(value(data, MAX_TEXT), value(data, MAX_TEXT), data.consumeBoolean(),
            data.consumeBoolean() ? Optional.of(value(data, MAX_TEXT)) : Optional.empty()))
        : Optional.empty();
    String sessionId = value(data, MAX_SESSION_ID);
    ProxiedClient connection = new ProxiedClient(client, local, tls, sessionId);

    HAProxyMessage decoded = decode(written(ProxyProtocolHeader.of(version, connection)));
    try {
      assertThat(decoded.protocolVersion())
          .isEqualTo(version == ProxyProtocolVersion.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2);
      if (client.isUnresolved() || local.isUnresolved()) {
        // No address a TCP header can carry: v1 says UNKNOWN, v2 sends LOCAL (the backend keeps its own view).
        assertThat(decoded.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
        assertThat(decoded.command()).isEqualTo(version == ProxyProtocolVersion.V1 ? HAProxyCommand.PROXY
            : HAProxyCommand.LOCAL);
        return;
      }
      boolean ipv4 = client.getAddress() instanceof Inet4Address && local.getAddress() instanceof Inet4Address;
      assertThat(decoded.command()).isEqualTo(HAProxyCommand.PROXY);
      assertThat(decoded.proxiedProtocol()).isEqualTo(ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6);
      assertThat(sameAddress(decoded.sourceAddress(), client.getAddress())).as(decoded.sourceAddress()).isTrue();
      assertThat(sameAddress(decoded.destinationAddress(), local.getAddress())).isTrue();
      assertThat(decoded.sourcePort()).isEqualTo(client.getPort());
      assertThat(decoded.destinationPort()).isEqualTo(local.getPort());
      if (version == ProxyProtocolVersion.V2) {
        checkTlvs(decoded, connection);
      }
    } finally {
      decoded.release();
    }
  }

  private static void checkTlvs(HAProxyMessage decoded, ProxiedClient connection) {
    Map<Byte, HAProxyTLV> tlvs = new HashMap<>();
    decoded.tlvs().forEach(tlv -> tlvs.put(tlv.typeByteValue(), tlv));
    assertThat(text(tlvs.get(ProxyProtocolV2Header.PP2_TYPE_UNIQUE_ID))).isEqualTo(connection.sessionId());
    Optional<ProxiedClient.Tls> tls = connection.tls();
    assertThat(Optional.ofNullable(tlvs.get(ProxyProtocolV2Header.PP2_TYPE_AUTHORITY))
        .map(ProxyProtocolHeaderFuzzTest::text)).isEqualTo(tls.flatMap(ProxiedClient.Tls::serverName));
    HAProxySSLTLV ssl = (HAProxySSLTLV) tlvs.get(PP2_TYPE_SSL);
    assertThat(ssl == null).isEqualTo(tls.isEmpty());
    if (ssl == null) {
      return;
    }
    assertThat(ssl.isPP2ClientSSL()).isTrue();
    assertThat(ssl.isPP2ClientCertConn()).isEqualTo(tls.get().verifiedCertificate());
    assertThat(ssl.isPP2ClientCertSess()).isEqualTo(tls.get().verifiedCertificate());
    assertThat(ssl.verify()).isEqualTo(tls.get().verifiedCertificate() ? 0 : 1);
    Map<Byte, String> sub = new HashMap<>();
    ssl.encapsulatedTLVs().forEach(tlv -> sub.put(tlv.typeByteValue(), text(tlv)));
    assertThat(sub).containsOnly(
        Map.entry(PP2_SUBTYPE_SSL_VERSION, tls.get().protocol()),
        Map.entry(ProxyProtocolV2Header.PP2_SUBTYPE_SSL_CIPHER, tls.get().cipher()));
  }

  /** An IPv4 or IPv6 address from the data, or an unresolved one (no address the header can carry). */
  private static InetSocketAddress address(FuzzedDataProvider data) throws UnknownHostException {
    // A connected TCP socket's port is never 0, and Netty's decoder (like others) refuses a version 1 port 0.
    int port = data.consumeInt(1, 65535);
    return switch (data.consumeInt(0, 2)) {
      case 0 -> new InetSocketAddress(InetAddress.getByAddress(fixed(data, 4)), port);
      case 1 -> new InetSocketAddress(InetAddress.getByAddress(fixed(data, 16)), port);
      default -> InetSocketAddress.createUnresolved("client.example", port);
    };
  }

  /**
   * A TLV value: never empty, as none of mailgate's is (session id, protocol, cipher, SNI host name); Netty's decoder
   * does not return an empty TLV at the end of a header.
   */
  private static String value(FuzzedDataProvider data, int maxLength) {
    String value = data.consumeAsciiString(maxLength);
    return value.isEmpty() ? "x" : value;
  }

  private static byte[] fixed(FuzzedDataProvider data, int length) {
    return Arrays.copyOf(data.consumeBytes(length), length);
  }

  /** An IPv4 address written IPv4-mapped in a TCP6 header is the same address. */
  private static boolean sameAddress(String written, InetAddress expected) throws UnknownHostException {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(written);
    return bytes != null && InetAddress.getByAddress(bytes).equals(expected);
  }

  /** What {@code header} writes on a channel, as {@link ProxyProtocolSender} has it write. */
  private static ByteBuf written(ProxyProtocolHeader header) {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    try {
      header.writeTo(channel.pipeline().firstContext());
      ByteBuf bytes = channel.readOutbound();
      assertThat((Object) channel.readOutbound()).isNull();
      return bytes;
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /** The one header in {@code bytes}, which are released. */
  private static HAProxyMessage decode(ByteBuf bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder());
    try {
      channel.writeInbound(bytes);
      HAProxyMessage message = channel.readInbound();
      assertThat(message).isNotNull();
      assertThat((Object) channel.readInbound()).as("nothing after the header").isNull();
      return message;
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  private static String text(HAProxyTLV tlv) {
    return tlv == null ? null : tlv.content().toString(StandardCharsets.US_ASCII);
  }
}
