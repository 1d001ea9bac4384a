package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.sasl.LenientBase64;
import java.util.Base64;
import java.util.Optional;

/** Lenient base64 decoding of client SASL lines: a value or empty, never an exception; canonical input round-trips. */
class LenientBase64FuzzTest {

  @FuzzTest(maxDuration = "5s")
  void decodesOrRefuses(byte[] input) {
    String text = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
    Optional<byte[]> decoded = LenientBase64.decode(text);
    decoded.ifPresent(bytes -> assertThat(bytes.length).isLessThanOrEqualTo(text.length()));
    String canonical = Base64.getEncoder().encodeToString(input);
    assertThat(LenientBase64.decode(canonical)).hasValueSatisfying(b -> assertThat(b).isEqualTo(input));
  }
}
