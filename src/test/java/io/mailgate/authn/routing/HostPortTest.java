package io.mailgate.authn.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @Test
  void parsesAnIpv4Literal() throws Exception {
    assertThat(HostPort.parse("10.0.0.5:143"))
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 143));
  }

  @Test
  void parsesABracketedIpv6Literal() throws Exception {
    assertThat(HostPort.parse("[::1]:993")).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 993));
  }

  @Test
  void resolvesAHostNameAtOnce() {
    InetSocketAddress address = HostPort.parse("localhost:110");

    assertThat(address.isUnresolved()).isFalse();
    assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    assertThat(address.getPort()).isEqualTo(110);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.5", "10.0.0.5:", ":143", "10.0.0.5:0", "10.0.0.5:65536", "10.0.0.5:1x3",
      "::1:143", "[::1:143", "[10.0.0.5]:143", "[]:143", "host.invalid:143", "10.0.0.5:-1"})
  void rejectsMalformedAddresses(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
