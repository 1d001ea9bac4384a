package io.mailgate.sasl;

import java.util.Base64;
import java.util.Optional;

/**
 * Base64 decoding with nginx's {@code ngx_decode_base64} leniency, so that clients nginx accepts are accepted here:
 * input ends at the first {@code '='} (padding optional, anything after it ignored); characters outside the RFC 4648
 * standard alphabet, and a length of 1 modulo 4 before the {@code '='}, are errors.
 */
public final class LenientBase64 {

  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

  private LenientBase64() {}

  /** The decoded bytes, or empty if nginx would reject the text. */
  public static Optional<byte[]> decode(CharSequence text) {
    int length = 0;
    while (length < text.length() && text.charAt(length) != '=') {
      if (sextet(text.charAt(length)) < 0) {
        return Optional.empty();
      }
      length++;
    }
    // One leftover character carries only 6 bits: not even one byte, so the encoding is broken.
    if (length % 4 == 1) {
      return Optional.empty();
    }
    // The text is now known to be plain RFC 4648 base64 up to `length`: the JDK's (intrinsified) decoder does the
    // work once the padding nginx makes optional is put back. Copied straight into bytes: a StringBuilder and a
    // String on the way made this ten times slower than the decoder itself (JMH Base64Benchmark).
    byte[] ascii = new byte[(length + 3) / 4 * 4];
    for (int i = 0; i < length; i++) {
      ascii[i] = (byte) text.charAt(i);
    }
    java.util.Arrays.fill(ascii, length, ascii.length, (byte) '=');
    return Optional.of(Base64.getDecoder().decode(ascii));
  }

  private static int sextet(char c) {
    return c < VALUES.length ? VALUES[c] : -1;
  }
}
