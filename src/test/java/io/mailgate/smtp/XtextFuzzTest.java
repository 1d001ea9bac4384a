package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/** XCLIENT attribute values ({@link Xtext}): only RFC 3461 xtext goes out, and it decodes to the bytes given. */
class XtextFuzzTest {

  /** RFC 3461 §4: {@code xtext = *( xchar / hexchar )}, xchar being "!".."~" but "+" and "=". */
  private static final String XTEXT = "([!-*,-<>-~]|\\+[0-9A-F]{2})*";

  @FuzzTest(maxDuration = "5s")
  void encodesToXtextThatDecodesBack(byte[] value) {
    String encoded = Xtext.encode(value);
    assertThat(encoded).matches(XTEXT);
    assertThat(encoded.length()).isBetween(value.length, 3 * value.length);
    assertThat(decode(encoded)).isEqualTo(value);
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
