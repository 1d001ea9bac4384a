package io.mailgate.config;

import java.util.OptionalInt;

/** nginx size values: a decimal byte count, optionally followed by {@code k}/{@code K} or {@code m}/{@code M}. */
public final class Sizes {

  private Sizes() {}

  /** The size in bytes, or empty if the text is not a valid size or does not fit in an {@code int}. */
  public static OptionalInt parse(String text) {
    if (text.isEmpty()) {
      return OptionalInt.empty();
    }
    long scale = 1;
    String digits = text;
    char unit = text.charAt(text.length() - 1);
    if (unit == 'k' || unit == 'K') {
      scale = 1024;
      digits = text.substring(0, text.length() - 1);
    } else if (unit == 'm' || unit == 'M') {
      scale = 1024 * 1024;
      digits = text.substring(0, text.length() - 1);
    }
    OptionalInt n = Numbers.parse(digits);
    if (n.isEmpty()) {
      return n;
    }
    long bytes = n.getAsInt() * scale;
    return bytes > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) bytes);
  }
}
