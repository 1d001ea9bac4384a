package io.mailgate.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReverseNamesTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, 1.0.0.127.in-addr.arpa.",
      "192.0.2.10, 10.2.0.192.in-addr.arpa.",
      "2001:db8::567:89ab, b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."})
  void ptrNamesFollowRfc1035AndRfc3596(String address, String name) {
    assertThat(ReverseNames.ptrName(NetUtil.createInetAddressFromIpAddressString(address))).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.example.net.", "a.example.net", "mail-1.Example.NET.", "_srv.example", "x"})
  void ordinaryHostNamesPass(String name) {
    assertThat(ReverseNames.hostName(name)).contains(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "", "a..b", ".a", "a b.example", "a\r\nb.example", "\"q\".example", "a,b.example",
      "ü.example"})
  void namesUnfitForHeadersOrXclientAreRefused(String name) {
    assertThat(ReverseNames.hostName(name)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 254})
  void overlongLabelsAndNamesAreRefused(int length) {
    String name = length == 64 ? "a".repeat(64) + ".example" : ("a".repeat(63) + ".").repeat(4).substring(0, length);
    assertThat(ReverseNames.hostName(name)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"A.Example.NET., a.example.net", "a.example.net, a.example.net"})
  void keysIgnoreCaseAndTheRootDot(String name, String key) {
    assertThat(ReverseNames.key(name)).isEqualTo(key);
  }
}
