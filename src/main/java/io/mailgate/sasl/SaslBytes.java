package io.mailgate.sasl;

import java.util.Arrays;

/** Byte-level helpers for the mechanism parsers; decoded SASL messages are raw bytes, not text. */
final class SaslBytes {

  static final byte NUL = 0;
  static final byte CTRL_A = 1;

  private SaslBytes() {}

  /** Index of the first {@code b} in {@code [from, to)}, or -1. */
  static int indexOf(byte[] data, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code [from, to)} starts with the ASCII {@code prefix}, ignoring ASCII case. */
  static boolean startsWithIgnoreCase(byte[] data, int from, int to, String prefix) {
    if (to - from < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (lower(data[from + i]) != lower((byte) prefix.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the value would be unsafe to pass on: CR or LF could split an auth_http header or a backend command line,
   * and NUL truncates C-string based auth services. nginx lets them through; we refuse them.
   */
  static boolean hasLineBreakOrNul(byte[] value) {
    for (byte b : value) {
      if (b == '\r' || b == '\n' || b == NUL) {
        return true;
      }
    }
    return false;
  }

  /** A copy of {@code [from, to)}. */
  static byte[] slice(byte[] data, int from, int to) {
    return Arrays.copyOfRange(data, from, to);
  }

  /** Overwrites a buffer that held secrets, best effort. */
  static void wipe(byte[] data) {
    Arrays.fill(data, NUL);
  }

  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
  }
}
