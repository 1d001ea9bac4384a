package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The XCLIENT command for the attributes a backend lists, and nginx's when it lists none. */
class SmtpXclientTest {

  /** Postfix 3.7's list, as its EHLO reply gives it. */
  static final List<String> POSTFIX =
      List.of("NAME", "ADDR", "PROTO", "HELO", "REVERSE_NAME", "PORT", "LOGIN", "DESTADDR", "DESTPORT");

  /** A client 127.0.0.1:40123 that connected to 127.0.0.1:25, with no resolver, having said EHLO {@code helo}. */
  static SmtpXclient client(Optional<String> helo) {
    return new SmtpXclient("127.0.0.1", Optional.of(new InetSocketAddress("127.0.0.1", 40123)), "[UNAVAILABLE]",
        helo.map(SmtpXclientTest::bytes), true, Optional.of(new InetSocketAddress("127.0.0.1", 25)));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void postfixGetsEveryAttributeItListsThatMailgateKnows() {
    SmtpXclient xclient = new SmtpXclient("192.0.2.7", Optional.of(new InetSocketAddress("192.0.2.7", 50321)),
        "host.example.net", Optional.of(bytes("client.example")), true,
        Optional.of(new InetSocketAddress("198.51.100.1", 587)));
    assertThat(xclient.command(POSTFIX, Optional.of(bytes("us er@example.com")))).contains("XCLIENT ADDR=192.0.2.7"
        + " PORT=50321 PROTO=ESMTP HELO=client.example LOGIN=us+20er@example.com NAME=host.example.net"
        + " DESTADDR=198.51.100.1 DESTPORT=587");
  }

  @Test
  void onlyTheListedAttributesAreSentWhateverTheirCase() {
    assertThat(client(Optional.of("c.example")).command(List.of("name", "Addr", "HELO"), Optional.of(bytes("u"))))
        .contains("XCLIENT ADDR=127.0.0.1 HELO=c.example NAME=[UNAVAILABLE]");
  }

  @Test
  void aHeloClientIsSmtpAndNoHeloMeansNeitherProtoNorHelo() {
    SmtpXclient helo = new SmtpXclient("127.0.0.1", Optional.empty(), "[TEMPUNAVAIL]", Optional.of(bytes("old")),
        false, Optional.empty());
    assertThat(helo.command(POSTFIX, Optional.empty())).contains("XCLIENT ADDR=[UNAVAILABLE] PORT=[UNAVAILABLE]"
        + " PROTO=SMTP HELO=old NAME=[TEMPUNAVAIL] DESTADDR=[UNAVAILABLE] DESTPORT=[UNAVAILABLE]");
    assertThat(client(Optional.empty()).command(POSTFIX, Optional.empty())).contains("XCLIENT ADDR=127.0.0.1"
        + " PORT=40123 NAME=[UNAVAILABLE] DESTADDR=127.0.0.1 DESTPORT=25");
  }

  @Test
  void ipv6AddressesCarryThePrefixInCompressedForm() {
    SmtpXclient v6 = new SmtpXclient("IPV6:2001:db8::7", Optional.of(new InetSocketAddress("2001:db8:0:0:0:0:0:7", 1)),
        "[UNAVAILABLE]", Optional.empty(), true, Optional.of(new InetSocketAddress("::1", 25)));
    assertThat(v6.command(List.of("ADDR", "DESTADDR"), Optional.empty()))
        .contains("XCLIENT ADDR=IPV6:2001:db8::7 DESTADDR=IPV6:::1");
  }

  @Test
  void heloValuesAreXtextAndTooLongOnesAreLeftOut() {
    assertThat(client(Optional.of("a+b=c d")).command(List.of("HELO"), Optional.empty()))
        .contains("XCLIENT HELO=a+2Bb+3Dc+20d");
    assertThat(client(Optional.of("h".repeat(256))).command(List.of("HELO", "ADDR"), Optional.empty()))
        .contains("XCLIENT ADDR=127.0.0.1");
  }

  @Test
  void aLoginTooLongForPostfixIsUnavailable() {
    assertThat(client(Optional.empty()).command(List.of("LOGIN"), Optional.of(bytes("+".repeat(86)))))
        .contains("XCLIENT LOGIN=[UNAVAILABLE]");
    assertThat(client(Optional.empty()).command(List.of("LOGIN"), Optional.of(bytes("+".repeat(85)))))
        .contains("XCLIENT LOGIN=" + "+2B".repeat(85));
  }

  @Test
  void theCommandStaysWithin512OctetsHeloGoingFirstThenTheName() {
    String login = "l".repeat(200);
    String name = "n".repeat(200);
    SmtpXclient big = new SmtpXclient("127.0.0.1", Optional.of(new InetSocketAddress("127.0.0.1", 40123)), name,
        Optional.of(bytes("h".repeat(100))), true, Optional.empty());
    String withoutHelo = big.command(POSTFIX, Optional.of(bytes(login))).orElseThrow();
    assertThat(withoutHelo).isEqualTo("XCLIENT ADDR=127.0.0.1 PORT=40123 PROTO=ESMTP LOGIN=" + login + " NAME=" + name
        + " DESTADDR=[UNAVAILABLE] DESTPORT=[UNAVAILABLE]");
    assertThat(withoutHelo.length() + 2).isLessThanOrEqualTo(512);
    String longer = "l".repeat(250);
    String withoutName = big.command(POSTFIX, Optional.of(bytes(longer))).orElseThrow();
    assertThat(withoutName).isEqualTo("XCLIENT ADDR=127.0.0.1 PORT=40123 PROTO=ESMTP LOGIN=" + longer
        + " NAME=[UNAVAILABLE] DESTADDR=[UNAVAILABLE] DESTPORT=[UNAVAILABLE]");
  }

  @Test
  void aListOfNothingMailgateKnowsGivesNoCommand() {
    assertThat(client(Optional.empty()).command(List.of("REVERSE_NAME", "FOO"), Optional.empty())).isEmpty();
  }

  @Test
  void nginxsCommandIsAddrLoginName() {
    assertThat(client(Optional.of("x")).nginxCommand(Optional.of(bytes("u=1"))))
        .isEqualTo("XCLIENT ADDR=127.0.0.1 LOGIN=u+3D1 NAME=[UNAVAILABLE]");
    assertThat(client(Optional.of("x")).nginxCommand(Optional.empty()))
        .isEqualTo("XCLIENT ADDR=127.0.0.1 NAME=[UNAVAILABLE]");
  }
}
