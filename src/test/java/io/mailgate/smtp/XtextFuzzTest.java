package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/** XCLIENT attribute values ({@link Xtext}): only RFC 3461 xtext goes out, and it decodes to the bytes given. */
class XtextFuzzTest {

  @FuzzTest(maxDuration = "5s")
  void encodesToXtextThatDecodesBack(byte[] value) {
    String encoded = Xtext.encode(value);
    assertThat(isXtext(encoded)).as("RFC 3461 xtext: %s", encoded).isTrue();
    assertThat(encoded.length()).isBetween(value.length, 3 * value.length);
    assertThat(decode(encoded)).isEqualTo(value);
  }

  /**
   * RFC 3461 §4: {@code xtext = *( xchar / hexchar )}, xchar being "!".."~" but "+" and "=", hexchar "+" and two
   * upper-case hex digits. A loop, not a regular expression: java.util.regex recurses once per repetition of an
   * alternation, and the fuzzer's 526 bytes, nearly all 0xFF (1,578 characters), overflowed the stack (the seed
   * long-value-of-eight-bit-bytes).
   */
  private static boolean isXtext(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '+') {
        if (i + 2 >= text.length() || !upperHex(text.charAt(i + 1)) || !upperHex(text.charAt(i + 2))) {
          return false;
        }
        i += 2;
      } else if (c < '!' || c > '~' || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static boolean upperHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }

  /** The backend's side of RFC 3461 §4, written here independently of the encoder. */
  private static byte[] decode(String xtext) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(xtext.length());
    for (int i = 0; i < xtext.length(); i++) {
      char c = xtext.charAt(i);
      if (c == '+') {
        out.write(HexFormat.fromHexDigits(xtext, i + 1, i + 3));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
