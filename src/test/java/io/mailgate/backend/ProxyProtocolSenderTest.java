package io.mailgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The PROXY line opening a backend connection ({@code proxy_protocol on}). */
class ProxyProtocolSenderTest {

  private static String sent(SocketAddress client, SocketAddress local, AtomicBoolean activeSeen) throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel(false, false);
    new ProxyProtocolSender(client, local).addTo(channel.pipeline());
    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        activeSeen.set(true);
      }
    });
    channel.register();
    ByteBuf out = channel.readOutbound();
    try {
      assertThat(channel.pipeline().names()).as("the sender leaves").hasSize(2); // the probe and EmbeddedChannel's tail
      return out.toString(StandardCharsets.US_ASCII);
    } finally {
      out.release();
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void ipv4ClientAndListenerGiveATcp4LineAndTheLoginStillSeesTheConnectionComeUp() throws Exception {
    AtomicBoolean active = new AtomicBoolean();
    assertThat(sent(new InetSocketAddress("192.0.2.1", 123), new InetSocketAddress("127.0.0.1", 143), active))
        .isEqualTo("PROXY TCP4 192.0.2.1 127.0.0.1 123 143\r\n");
    assertThat(active).isTrue();
  }

  @Test
  void ipv6AddressesAreWrittenInTheirShortForm() throws Exception {
    assertThat(sent(new InetSocketAddress("2001:db8::1", 40000), new InetSocketAddress("::1", 993),
        new AtomicBoolean())).isEqualTo("PROXY TCP6 2001:db8::1 ::1 40000 993\r\n");
  }

  @Test
  void anIpv4ClientOnAnIpv6ListenerIsWrittenIpv4Mapped() throws Exception {
    assertThat(sent(new InetSocketAddress("192.0.2.1", 123), new InetSocketAddress("2001:db8::25", 143),
        new AtomicBoolean())).isEqualTo("PROXY TCP6 ::ffff:192.0.2.1 2001:db8::25 123 143\r\n");
  }

  @Test
  void aUnixDomainClientGivesUnknown() throws Exception {
    assertThat(sent(new DomainSocketAddress("/run/mail.sock"), new DomainSocketAddress("/run/mail.sock"),
        new AtomicBoolean())).isEqualTo("PROXY UNKNOWN\r\n");
  }
}
