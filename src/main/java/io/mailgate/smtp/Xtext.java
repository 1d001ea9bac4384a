package io.mailgate.smtp;

import java.nio.charset.StandardCharsets;

/**
 * RFC 3461 §4 xtext, the encoding of XCLIENT attribute values (Postfix XCLIENT_README): bytes outside {@code !}..{@code
 * ~}, and {@code +} and {@code =} themselves, become {@code +XX} with upper-case hex. A login with a space, a plus or
 * UTF-8 then reaches the backend as one intact attribute.
 */
final class Xtext {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Xtext() {}

  /** The xtext form of {@code value}, byte for byte. */
  static String encode(byte[] value) {
    StringBuilder out = new StringBuilder(value.length + 8);
    for (byte b : value) {
      int c = b & 0xFF;
      if (c < 33 || c > 126 || c == '+' || c == '=') {
        out.append('+').append(HEX[c >>> 4]).append(HEX[c & 0x0F]);
      } else {
        out.append((char) c);
      }
    }
    return out.toString();
  }

  /** The xtext form of ASCII text. */
  static String encode(String ascii) {
    return encode(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }
}
