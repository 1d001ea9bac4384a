package io.mailgate.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A flat JSON object written on one line, keys in insertion order: the tools' machine-readable output. */
public final class Json {

  private final Map<String, Object> fields = new LinkedHashMap<>();

  /** Adds or replaces a field; values are strings, numbers, booleans or null. */
  public Json put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /** Adds every field of {@code other}. */
  public Json putAll(Json other) {
    fields.putAll(other.fields);
    return this;
  }

  /** A field's value, or null. */
  public Object get(String key) {
    return fields.get(key);
  }

  /** A numeric field as a double (NaN if absent). */
  public double number(String key) {
    Object value = fields.get(key);
    return value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(256).append('{');
    boolean first = true;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(out, e.getKey());
      out.append(':');
      value(out, e.getValue());
    }
    return out.append('}').toString();
  }

  private static void value(StringBuilder out, Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        out.append("null");
      } else {
        out.append(String.format(Locale.ROOT, "%.3f", d));
      }
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else {
      quote(out, v.toString());
    }
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
