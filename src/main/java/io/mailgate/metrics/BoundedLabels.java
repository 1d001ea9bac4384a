package io.mailgate.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Meters keyed by a label value that comes from elsewhere (a TLS version, a throttle decision): at most {@code limit}
 * distinct values get a meter of their own, later ones share {@code other}, so that a bug elsewhere can never make the
 * series count grow without bound. Values are folded to {@code [a-z0-9_.]}.
 */
final class BoundedLabels<M> {

  static final String OTHER = "other";

  /** Raw value to meter: a cache, so that a known value costs one lookup; at most {@code 4 * limit} entries. */
  private final ConcurrentMap<String, M> byValue = new ConcurrentHashMap<>();
  /** Folded label to meter: at most {@code limit} entries plus {@code other}. */
  private final ConcurrentMap<String, M> byLabel = new ConcurrentHashMap<>();
  private final Function<String, M> create;
  private final int limit;

  BoundedLabels(int limit, Function<String, M> create) {
    this.limit = limit;
    this.create = create;
  }

  /** The meter for {@code value}; a map lookup is fine here (handshakes and throttle decisions, not bytes). */
  M get(String value) {
    if (value == null) {
      value = "";
    }
    M known = byValue.get(value);
    if (known != null) {
      return known;
    }
    String label = fold(value);
    if (byLabel.size() >= limit && !byLabel.containsKey(label)) {
      label = OTHER;
    }
    M meter = byLabel.computeIfAbsent(label, create);
    if (byValue.size() < 4 * limit) {
      byValue.putIfAbsent(value, meter);
    }
    return meter;
  }

  static String fold(String value) {
    if (value == null || value.isEmpty()) {
      return OTHER;
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), 32));
    for (int i = 0; i < value.length() && out.length() < 32; i++) {
      char c = Character.toLowerCase(value.charAt(i));
      out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ? c : '_');
    }
    return out.toString();
  }
}
