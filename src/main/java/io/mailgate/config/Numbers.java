package io.mailgate.config;

import java.util.OptionalInt;

/** nginx plain numbers ({@code ngx_atoi}): one or more ASCII digits, no sign, no spaces. */
final class Numbers {

  private Numbers() {}

  /** The value, or empty when the text is not all digits or overflows an {@code int}. */
  static OptionalInt parse(String text) {
    if (text.isEmpty()) {
      return OptionalInt.empty();
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return OptionalInt.empty();
      }
      value = value * 10 + (c - '0');
      if (value > Integer.MAX_VALUE) {
        return OptionalInt.empty();
      }
    }
    return OptionalInt.of((int) value);
  }
}
