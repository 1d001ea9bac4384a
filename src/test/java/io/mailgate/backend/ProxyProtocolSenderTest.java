package io.mailgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The PROXY header opening a backend connection ({@code proxy_protocol on|v1|v2}). */
class ProxyProtocolSenderTest {

  private static final String SESSION = "0123456789abcdef";
  /** proxy-protocol.txt §2.2: the 12-byte signature. */
  private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";

  private static byte[] sent(ProxyProtocolHeader header, AtomicBoolean activeSeen) {
    EmbeddedChannel channel = new EmbeddedChannel(false, false);
    channel.pipeline().addFirst(new ProxyProtocolSender(header));
    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        activeSeen.set(true);
      }
    });
    try {
      channel.register();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    ByteBuf out = channel.readOutbound();
    try {
      assertThat(channel.pipeline().names()).as("the sender leaves").hasSize(2); // the probe and EmbeddedChannel's tail
      assertThat((Object) channel.readOutbound()).as("one buffer").isNull();
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
      channel.finishAndReleaseAll();
    }
  }

  private static String v1(SocketAddress client, SocketAddress local) {
    return new String(sent(new ProxyProtocolV1Header(client, local), new AtomicBoolean()), StandardCharsets.US_ASCII);
  }

  private static String v2(ProxiedClient client) {
    return ByteBufUtil.hexDump(sent(new ProxyProtocolV2Header(client), new AtomicBoolean()));
  }

  private static String hex(String ascii) {
    return ByteBufUtil.hexDump(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void ipv4ClientAndListenerGiveATcp4LineAndTheLoginStillSeesTheConnectionComeUp() {
    AtomicBoolean active = new AtomicBoolean();
    byte[] line = sent(new ProxyProtocolV1Header(new InetSocketAddress("192.0.2.1", 123),
        new InetSocketAddress("127.0.0.1", 143)), active);
    assertThat(new String(line, StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP4 192.0.2.1 127.0.0.1 123 143\r\n");
    assertThat(active).isTrue();
  }

  @Test
  void ipv6AddressesAreWrittenInTheirShortForm() {
    assertThat(v1(new InetSocketAddress("2001:db8::1", 40000), new InetSocketAddress("::1", 993)))
        .isEqualTo("PROXY TCP6 2001:db8::1 ::1 40000 993\r\n");
  }

  @Test
  void anIpv4ClientOnAnIpv6ListenerIsWrittenIpv4Mapped() {
    assertThat(v1(new InetSocketAddress("192.0.2.1", 123), new InetSocketAddress("2001:db8::25", 143)))
        .isEqualTo("PROXY TCP6 ::ffff:192.0.2.1 2001:db8::25 123 143\r\n");
  }

  @Test
  void aUnixDomainClientGivesUnknown() {
    assertThat(v1(new DomainSocketAddress("/run/mail.sock"), new DomainSocketAddress("/run/mail.sock")))
        .isEqualTo("PROXY UNKNOWN\r\n");
  }

  @Test
  void v2CleartextClientGivesTcp4AddressesAndTheSessionIdOnly() {
    assertThat(v2(new ProxiedClient(new InetSocketAddress("192.0.2.1", 4711), new InetSocketAddress("127.0.0.1", 143),
        SESSION))).isEqualTo(SIGNATURE
            + "21" // version 2, PROXY
            + "11" // AF_INET, STREAM
            + "001f" // 12 address bytes + 19 TLV bytes
            + "c0000201" + "7f000001" + "1267" + "008f"
            + "050010" + hex(SESSION)); // PP2_TYPE_UNIQUE_ID
  }

  @Test
  void v2TlsClientGetsAuthorityUniqueIdAndTheSslTlvWithVersionAndCipher() {
    ProxiedClient client = new ProxiedClient(new InetSocketAddress("192.0.2.1", 4711),
        new InetSocketAddress("127.0.0.1", 993),
        Optional.of(new ProxiedClient.Tls("TLSv1.3", "TLS_AES_128_GCM_SHA256", false,
            Optional.of("imap.example.com"))), SESSION);
    assertThat(v2(client)).isEqualTo(SIGNATURE + "21" + "11"
        + "005d" // 12 + 19 (authority) + 19 (unique id) + 43 (ssl) = 93
        + "c0000201" + "7f000001" + "1267" + "03e1"
        + "020010" + hex("imap.example.com") // PP2_TYPE_AUTHORITY
        + "050010" + hex(SESSION) // PP2_TYPE_UNIQUE_ID
        + "200028" // PP2_TYPE_SSL, 40 bytes
        + "01" // PP2_CLIENT_SSL
        + "00000001" // verify: no verified certificate
        + "210007" + hex("TLSv1.3") // PP2_SUBTYPE_SSL_VERSION
        + "230016" + hex("TLS_AES_128_GCM_SHA256")); // PP2_SUBTYPE_SSL_CIPHER
  }

  @Test
  void v2VerifiedClientCertificateSetsTheCertFlagsAndVerifyZero() {
    ProxiedClient client = new ProxiedClient(new InetSocketAddress("192.0.2.1", 4711),
        new InetSocketAddress("127.0.0.1", 993),
        Optional.of(new ProxiedClient.Tls("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", true, Optional.empty())),
        SESSION);
    assertThat(v2(client)).isEqualTo(SIGNATURE + "21" + "11"
        + "004f" // 12 + 19 + 48
        + "c0000201" + "7f000001" + "1267" + "03e1"
        + "050010" + hex(SESSION)
        + "20002d" // PP2_TYPE_SSL, 45 bytes
        + "07" // PP2_CLIENT_SSL | PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS
        + "00000000"
        + "210007" + hex("TLSv1.2")
        + "23001b" + hex("ECDHE-RSA-AES128-GCM-SHA256"));
  }

  @Test
  void v2Ipv6AndMixedFamiliesGiveTcp6WithIpv4MappedAddresses() {
    assertThat(v2(new ProxiedClient(new InetSocketAddress("192.0.2.1", 4711),
        new InetSocketAddress("2001:db8::25", 143), SESSION))).isEqualTo(SIGNATURE + "21"
            + "21" // AF_INET6, STREAM
            + "0037" // 36 address bytes + 19
            + "00000000000000000000ffffc0000201" + "20010db8000000000000000000000025" + "1267" + "008f"
            + "050010" + hex(SESSION));
  }

  @Test
  void v2UnixDomainClientGivesLocalUnspecWithoutAddresses() {
    assertThat(v2(new ProxiedClient(new DomainSocketAddress("/run/mail.sock"),
        new DomainSocketAddress("/run/mail.sock"), SESSION))).isEqualTo(SIGNATURE
            + "20" // version 2, LOCAL
            + "00" // AF_UNSPEC
            + "0000");
  }
}
