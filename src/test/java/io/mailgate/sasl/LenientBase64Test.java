package io.mailgate.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LenientBase64Test {

  @ParameterizedTest(name = "[{index}] \"{0}\" decodes to {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "\"\"            | \"\"",
      "dGVzdA==        | 74657374",
      "dGVzdA=         | 74657374",
      "dGVzdA          | 74657374",
      "dGVzdA==junk!!  | 74657374",
      "dGVzdA=*        | 74657374",
      "dGVz=dA==       | 746573",
      "=abc            | \"\"",
      "AQ==            | 01",
      "AQ              | 01",
      "AAE             | 0001",
      "////            | ffffff",
      "+/+/            | fbffbf",
      "dGltIHRlc3Q=    | 74696d2074657374",
  })
  void decodesLikeNginx(String text, String hex) {
    assertThat(LenientBase64.decode(text)).hasValueSatisfying(
        bytes -> assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(hex));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" is refused")
  @ValueSource(strings = {
      "d", "dGVzd", "dGVzd=AA", "*", "dGV*", "dG-_", "dGVz dA", "dGVzdA\r\n", "dGVzdA\u00e9",
      "\u20ac\u20ac\u20ac\u20ac",
      "AQ\0=",
  })
  void refusesWhatNginxRefuses(String text) {
    assertThat(LenientBase64.decode(text)).isEmpty();
  }

  @Test
  void agreesWithTheJdkOnPaddedAndUnpaddedEncodingsOfRandomBytes() {
    Random random = new Random(4648);
    for (int length = 0; length < 64; length++) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      assertThat(LenientBase64.decode(Base64.getEncoder().encodeToString(data))).hasValue(data);
      assertThat(LenientBase64.decode(Base64.getEncoder().withoutPadding().encodeToString(data))).hasValue(data);
    }
  }
}
