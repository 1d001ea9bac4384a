package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class XtextTest {

  @Test
  void printableAsciiOtherThanPlusAndEqualsIsKept() {
    assertThat(Xtext.encode("user@example.com")).isEqualTo("user@example.com");
    assertThat(Xtext.encode("[UNAVAILABLE]")).isEqualTo("[UNAVAILABLE]");
    assertThat(Xtext.encode("IPV6:::1")).isEqualTo("IPV6:::1");
  }

  @Test
  void plusEqualsSpaceControlAndEightBitBytesBecomeUpperCaseHex() {
    assertThat(Xtext.encode("a+b=c d\t~")).isEqualTo("a+2Bb+3Dc+20d+09~");
    assertThat(Xtext.encode("j\u00f6rg".getBytes(StandardCharsets.UTF_8))).isEqualTo("j+C3+B6rg");
    assertThat(Xtext.encode(new byte[] {0x7f, 0x21})).isEqualTo("+7F!");
  }

  @Test
  void aLongValueOfEightBitBytesIsAllHexPairs() {
    // The fuzzer's stack overflow (seed long-value-of-eight-bit-bytes) was in its own regular expression; the
    // encoder, a loop, gives 3 characters per byte however long the value.
    byte[] value = new byte[526];
    Arrays.fill(value, (byte) 0xff);

    assertThat(Xtext.encode(value)).isEqualTo("+FF".repeat(526));
  }

  @Test
  void ipv6ClientsGetTheCompressedAddressWithThePrefix() {
    assertThat(SmtpXclient.addressText("0:0:0:0:0:0:0:1")).isEqualTo("IPV6:::1");
    assertThat(SmtpXclient.addressText("2001:db8:0:0:0:0:0:5%eth0")).isEqualTo("IPV6:2001:db8::5");
    assertThat(SmtpXclient.addressText("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}
