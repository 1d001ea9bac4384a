package io.mailgate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags of the form {@code --name value} or a bare {@code --name} (true), plus positional words.
 * Every flag a tool reads is remembered, so that {@link #rejectUnknown()} can refuse a misspelt one instead of
 * silently running a different benchmark.
 */
public final class Args {

  private final Map<String, String> flags = new HashMap<>();
  private final List<String> positional = new ArrayList<>();
  private final Set<String> read = new HashSet<>();

  private Args() {}

  /** Parses {@code argv}; a flag's value is the next word unless that starts with {@code --}. */
  public static Args parse(String[] argv) {
    Args args = new Args();
    for (int i = 0; i < argv.length; i++) {
      String word = argv[i];
      if (word.startsWith("--") && word.length() > 2) {
        String name = word.substring(2);
        int eq = name.indexOf('=');
        if (eq > 0) {
          args.flags.put(name.substring(0, eq), name.substring(eq + 1));
        } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
          args.flags.put(name, argv[++i]);
        } else {
          args.flags.put(name, "true");
        }
      } else {
        args.positional.add(word);
      }
    }
    return args;
  }

  /** The positional words (the scenario name first). */
  public List<String> positional() {
    return positional;
  }

  /** Whether the flag was given at all. */
  public boolean has(String name) {
    read.add(name);
    return flags.containsKey(name);
  }

  /** The flag's text, or {@code fallback}. */
  public String string(String name, String fallback) {
    read.add(name);
    return flags.getOrDefault(name, fallback);
  }

  /** A whole number flag. */
  public int integer(String name, int fallback) {
    String value = string(name, null);
    return value == null ? fallback : Integer.parseInt(value.trim());
  }

  /** A boolean flag: {@code on|off|true|false|yes|no}; a bare {@code --name} is true. */
  public boolean bool(String name, boolean fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "on":
      case "true":
      case "yes":
      case "1":
        return true;
      case "off":
      case "false":
      case "no":
      case "0":
        return false;
      default:
        throw new IllegalArgumentException("--" + name + ": expected on or off, got " + value);
    }
  }

  /** A duration flag: {@code 20s}, {@code 500ms}, {@code 2m}, {@code 1h}; a bare number is seconds. */
  public Duration duration(String name, Duration fallback) {
    String value = string(name, null);
    return value == null ? fallback : parseDuration(value);
  }

  /** A size flag: {@code 1048576}, {@code 64k}, {@code 1m} (binary multiples). */
  public long size(String name, long fallback) {
    String value = string(name, null);
    return value == null ? fallback : parseSize(value);
  }

  /** A {@code host:port} flag, or null if absent. */
  public HostPort hostPort(String name) {
    String value = string(name, null);
    return value == null ? null : HostPort.parse(value);
  }

  /** Fails on any flag no reader asked about. */
  public void rejectUnknown() {
    for (String name : flags.keySet()) {
      if (!read.contains(name)) {
        throw new IllegalArgumentException("unknown flag --" + name);
      }
    }
  }

  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    long unit = 1;
    char last = t.charAt(t.length() - 1);
    if (last == 's' || last == 'm' || last == 'h') {
      unit = last == 's' ? 1 : last == 'm' ? 60 : 3600;
      t = t.substring(0, t.length() - 1);
    }
    return Duration.ofMillis(Math.round(Double.parseDouble(t) * unit * 1000));
  }

  static long parseSize(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    char last = t.charAt(t.length() - 1);
    if (last == 'k' || last == 'm' || last == 'g') {
      unit = last == 'k' ? 1024L : last == 'm' ? 1024L * 1024 : 1024L * 1024 * 1024;
      t = t.substring(0, t.length() - 1);
    }
    return Long.parseLong(t) * unit;
  }
}
