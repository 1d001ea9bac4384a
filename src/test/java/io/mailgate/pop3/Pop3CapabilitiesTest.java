package io.mailgate.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.Pop3Config;
import io.mailgate.sasl.Mechanism;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class Pop3CapabilitiesTest {

  private static Pop3Config config(EnumSet<Mechanism> auth, String... capabilities) {
    return new Pop3Config(128, auth, List.of(capabilities));
  }

  @Test
  void plainAdvertisesLoginToo() {
    assertThat(Pop3Capabilities.mechanisms(config(EnumSet.of(Mechanism.PLAIN)))).containsExactly("PLAIN", "LOGIN");
  }

  @Test
  void apopIsNeverASaslMechanism() {
    assertThat(Pop3Capabilities.mechanisms(config(EnumSet.of(Mechanism.APOP, Mechanism.CRAM_MD5))))
        .containsExactly("CRAM-MD5");
  }

  @Test
  void capaIsTheCapabilitiesThenTheSaslLineThenADot() {
    assertThat(Pop3Capabilities.capa(config(EnumSet.of(Mechanism.OAUTHBEARER, Mechanism.PLAIN), "TOP", "USER"),
        false, false))
        .isEqualTo("+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN OAUTHBEARER\r\n.\r\n");
  }

  @Test
  void stlsIsListedLastWhileOfferedAndStarttlsOnlyHidesUserAndSasl() {
    assertThat(Pop3Capabilities.capa(config(EnumSet.of(Mechanism.PLAIN), "TOP", "USER", "UIDL"), true, false))
        .isEqualTo("+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nSASL PLAIN LOGIN\r\nSTLS\r\n.\r\n");
    assertThat(Pop3Capabilities.capa(config(EnumSet.of(Mechanism.PLAIN), "TOP", "USER", "UIDL"), true, true))
        .isEqualTo("+OK Capability list follows\r\nTOP\r\nUIDL\r\nSTLS\r\n.\r\n");
  }

  @Test
  void theAuthListHasOneMechanismPerLine() {
    assertThat(Pop3Capabilities.authList(config(EnumSet.of(Mechanism.XOAUTH2, Mechanism.EXTERNAL))))
        .isEqualTo("+OK methods supported:\r\nEXTERNAL\r\nXOAUTH2\r\n.\r\n");
  }
}
