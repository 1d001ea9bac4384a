package io.mailgate.config;

import io.mailgate.sasl.Mechanism;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/** Typed values of single-argument directives, with nginx's error messages. */
final class Values {

  private Values() {}

  /** {@code on} or {@code off}, case-insensitively as nginx. */
  static boolean flag(Directive d) throws ConfigException {
    String v = d.arg(0);
    if (v.equalsIgnoreCase("on")) {
      return true;
    }
    if (v.equalsIgnoreCase("off")) {
      return false;
    }
    throw d.error("invalid value \"" + v + "\" in \"" + d.name() + "\" directive, it must be \"on\" or \"off\"");
  }

  /** A positive size ({@code 4k}, {@code 1m}, {@code 512}). */
  static int size(Directive d) throws ConfigException {
    OptionalInt n = Sizes.parse(d.arg(0));
    if (n.isEmpty() || n.getAsInt() == 0) {
      throw invalid(d, d.arg(0));
    }
    return n.getAsInt();
  }

  /** A time in a timeout's form ({@code 500ms}, {@code 15s}, {@code 1h30m}; bare = seconds). */
  static Duration time(Directive d) throws ConfigException {
    return Times.parseMillis(d.arg(0)).orElseThrow(() -> invalid(d, d.arg(0)));
  }

  /** A plain number, at least {@code min}. */
  static int number(Directive d, int min) throws ConfigException {
    OptionalInt n = Numbers.parse(d.arg(0));
    if (n.isEmpty() || n.getAsInt() < min) {
      throw invalid(d, d.arg(0));
    }
    return n.getAsInt();
  }

  /** Adds the mechanisms named by the arguments to {@code into}; only those in {@code allowed} are valid. */
  static void mechanisms(Directive d, Set<Mechanism> allowed, EnumSet<Mechanism> into) throws ConfigException {
    for (String word : d.args()) {
      Mechanism m = Mechanism.fromDirectiveName(word.toLowerCase(Locale.ROOT))
          .filter(allowed::contains)
          .orElseThrow(() -> invalid(d, word));
      into.add(m);
    }
  }

  /** {@code invalid value "<value>"} at the directive. */
  static ConfigException invalid(Directive d, String value) {
    return d.error("invalid value \"" + value + "\"");
  }

  /**
   * {@code name} resolved against {@code base}. A name the file system cannot hold (on Linux, one with a NUL byte,
   * which any word of the file can carry) is a configuration error at the directive, not an
   * {@link InvalidPathException} escaping {@code -t} as a stack trace.
   */
  static Path path(Directive d, Path base, String name) throws ConfigException {
    try {
      return base.resolve(name);
    } catch (InvalidPathException e) {
      throw d.error("invalid path in \"" + d.name() + "\" directive (" + e.getReason() + ")");
    }
  }
}
