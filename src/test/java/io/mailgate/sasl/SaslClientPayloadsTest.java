package io.mailgate.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SaslClientPayloadsTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String decoded(byte[] base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  @Test
  void xoauth2IsGooglesFormatInBase64() {
    byte[] payload = SaslClientPayloads.xoauth2(bytes("test@example.com"), bytes("tok-123"));
    assertThat(decoded(payload)).isEqualTo("user=test@example.com\u0001auth=Bearer tok-123\u0001\u0001");
    assertThat(new String(payload, StandardCharsets.US_ASCII))
        .isEqualTo("dXNlcj10ZXN0QGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHRvay0xMjMBAQ==");
  }

  @Test
  void oauthbearerCarriesTheUserAsAnEscapedAuthzid() {
    assertThat(decoded(SaslClientPayloads.oauthbearer(bytes("test@example.com"), bytes("tok-123"))))
        .isEqualTo("n,a=test@example.com,\u0001auth=Bearer tok-123\u0001\u0001");
    assertThat(decoded(SaslClientPayloads.oauthbearer(bytes("a,b=c"), bytes("t"))))
        .isEqualTo("n,a=a=2Cb=3Dc,\u0001auth=Bearer t\u0001\u0001");
  }

  @Test
  void ourOwnServerSideParsersReadWhatTheClientSideBuilds() {
    byte[] user = bytes("j\u00f6rg,x=y@example.com");
    byte[] token = bytes("eyJhbGciOi.J9\u0001x");
    SaslStep x = new XOAuth2Parser().parse(Base64.getDecoder().decode(SaslClientPayloads.xoauth2(bytes("u@e"),
        token)));
    assertThat(x).isEqualTo(new SaslStep.Done(Credentials.of(Mechanism.XOAUTH2, bytes("u@e"), token)));
    SaslStep o = new OAuthBearerParser(false).parse(Base64.getDecoder().decode(
        SaslClientPayloads.oauthbearer(user, bytes("tok"))));
    assertThat(o).isEqualTo(new SaslStep.Done(Credentials.of(Mechanism.OAUTHBEARER, user, bytes("tok"))));
  }

  @Test
  void initialResponseChoosesByMechanismAndRefusesPasswordMechanisms() {
    assertThat(SaslClientPayloads.initialResponse(Mechanism.XOAUTH2, bytes("u"), bytes("t")))
        .isEqualTo(SaslClientPayloads.xoauth2(bytes("u"), bytes("t")));
    assertThat(SaslClientPayloads.initialResponse(Mechanism.OAUTHBEARER, bytes("u"), bytes("t")))
        .isEqualTo(SaslClientPayloads.oauthbearer(bytes("u"), bytes("t")));
    assertThatThrownBy(() -> SaslClientPayloads.initialResponse(Mechanism.PLAIN, bytes("u"), bytes("t")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a bearer-token mechanism: PLAIN");
  }

  @Test
  void anErrorChallengeIsAnsweredWithCtrlAForOauthbearerAndNothingForXoauth2() {
    assertThat(new String(SaslClientPayloads.errorChallengeAck(Mechanism.OAUTHBEARER), StandardCharsets.US_ASCII))
        .isEqualTo("AQ==");
    assertThat(Base64.getDecoder().decode("AQ==")).containsExactly(1);
    assertThat(SaslClientPayloads.errorChallengeAck(Mechanism.XOAUTH2)).isEmpty();
  }
}
