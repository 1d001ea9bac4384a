package io.mailgate.sasl;

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
    byte[] out = new byte[length / 4 * 3 + Math.max(0, length % 4 - 1)];
    int bits = 0;
    int pending = 0;
    int o = 0;
    for (int i = 0; i < length; i++) {
      bits = (bits << 6) | sextet(text.charAt(i));
      pending += 6;
      if (pending >= 8) {
        pending -= 8;
        out[o++] = (byte) (bits >> pending);
        // Keep only the unconsumed low bits so the accumulator never overflows.
        bits &= (1 << pending) - 1;
      }
    }
    return Optional.of(out);
  }

  private static int sextet(char c) {
    return c < VALUES.length ? VALUES[c] : -1;
  }
}
