package io.mailgate.config;

import java.time.Duration;
import java.util.Optional;

/**
 * nginx time values: numbers with units, largest first, each unit at most once, optionally separated by spaces
 * ({@code 1h30m}, {@code 1h 30m 10s}); a bare trailing number counts as seconds. Millisecond values (timeouts)
 * accept {@code w d h m s ms}; second values (such as {@code so_keepalive}) accept {@code y M w d h m s}.
 */
public final class Times {

  /** The units in the only order nginx accepts them; {@code y} and {@code M} only in second values. */
  private enum Unit {
    YEAR("y", 365L * 24 * 3600 * 1000),
    MONTH("M", 30L * 24 * 3600 * 1000),
    WEEK("w", 7L * 24 * 3600 * 1000),
    DAY("d", 24L * 3600 * 1000),
    HOUR("h", 3600L * 1000),
    MINUTE("m", 60L * 1000),
    SECOND("s", 1000L),
    MILLI("ms", 1L);

    final String suffix;
    final long millis;

    Unit(String suffix, long millis) {
      this.suffix = suffix;
      this.millis = millis;
    }
  }

  private Times() {}

  /** A timeout-style value (nginx's msec slots): {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h30m}, {@code 60}. */
  public static Optional<Duration> parseMillis(String text) {
    return parse(text, false);
  }

  /** A seconds-style value: as {@link #parseMillis} but without {@code ms}, and with {@code y} and {@code M}. */
  public static Optional<Duration> parseSeconds(String text) {
    return parse(text, true);
  }

  private static Optional<Duration> parse(String text, boolean seconds) {
    long total = 0;
    long value = 0;
    boolean sawDigit = false;
    boolean pendingNumber = false;
    int lastUnit = seconds ? -1 : Unit.MONTH.ordinal();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        if (value > Integer.MAX_VALUE) {
          return Optional.empty();
        }
        sawDigit = true;
        pendingNumber = true;
        i++;
        continue;
      }
      Unit unit;
      if (c == ' ') {
        // nginx: a space ends the value only after units larger than seconds; what follows is more units.
        if (lastUnit >= Unit.SECOND.ordinal()) {
          return Optional.empty();
        }
        unit = Unit.SECOND;
        i++;
      } else {
        unit = unitAt(text, i);
        if (unit == null || (seconds && unit == Unit.MILLI) || unit.ordinal() <= lastUnit) {
          return Optional.empty();
        }
        i += unit.suffix.length();
      }
      lastUnit = c == ' ' ? Unit.values().length : unit.ordinal();
      total = add(total, value, unit);
      if (total < 0) {
        return Optional.empty();
      }
      value = 0;
      pendingNumber = false;
      while (i < text.length() && text.charAt(i) == ' ') {
        i++;
      }
    }
    if (!sawDigit) {
      return Optional.empty();
    }
    if (pendingNumber) {
      total = add(total, value, Unit.SECOND);
    }
    if (total < 0 || (seconds && total / 1000 > Integer.MAX_VALUE)) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(total));
  }

  /** {@code total + value * unit}, or -1 on overflow. */
  private static long add(long total, long value, Unit unit) {
    try {
      return Math.addExact(total, Math.multiplyExact(value, unit.millis));
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  private static Unit unitAt(String text, int i) {
    char c = text.charAt(i);
    if (c == 'm' && i + 1 < text.length() && text.charAt(i + 1) == 's') {
      return Unit.MILLI;
    }
    for (Unit u : Unit.values()) {
      if (u.suffix.length() == 1 && u.suffix.charAt(0) == c) {
        return u;
      }
    }
    return null;
  }
}
