package io.mailgate.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads access-log lines back into field name to value (null for a missing value), the way an operator's tool would:
 * the text format split on spaces outside quotes and unescaped, the JSON format parsed by Jackson. Numbers come back
 * as text.
 */
public final class AccessLogLines {

  /** The text format's fields, in order. */
  public static final List<String> FIELDS = List.of("time", "start", "session", "protocol", "listener", "client",
      "tls_protocol", "tls_cipher", "user", "mechanism", "result", "backend", "bytes_from_client", "bytes_to_client",
      "duration_ms", "close_reason");

  private static final JsonFactory JSON = new JsonFactory();

  private AccessLogLines() {}

  /** A text line's fields; fails unless it has exactly {@link #FIELDS}. */
  public static Map<String, String> text(String line) {
    List<String> values = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      ByteArrayOutputStream value = new ByteArrayOutputStream();
      boolean quoted = line.charAt(i) == '"';
      if (quoted) {
        i++;
      }
      boolean dash = !quoted && line.charAt(i) == '-' && (i + 1 == line.length() || line.charAt(i + 1) == ' ');
      while (i < line.length()) {
        char c = line.charAt(i);
        if (quoted ? c == '"' : c == ' ') {
          break;
        }
        if (c < 0x20 || c >= 0x7f || (c == '"' && !quoted)) {
          throw new IllegalArgumentException("unescaped " + (int) c + " in " + line);
        }
        if (c == '\\') {
          char n = line.charAt(i + 1);
          if (n == 'x') {
            value.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
            i += 4;
          } else {
            value.write(n);
            i += 2;
          }
          continue;
        }
        value.write(c);
        i++;
      }
      if (quoted) {
        if (i >= line.length()) {
          throw new IllegalArgumentException("unclosed quote in " + line);
        }
        i++;
      }
      values.add(dash ? null : value.toString(StandardCharsets.UTF_8));
      if (i < line.length()) {
        if (line.charAt(i) != ' ') {
          throw new IllegalArgumentException("no space after field " + values.size() + " in " + line);
        }
        i++;
      }
    }
    if (values.size() != FIELDS.size()) {
      throw new IllegalArgumentException(values.size() + " fields in " + line);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int f = 0; f < FIELDS.size(); f++) {
      out.put(FIELDS.get(f), values.get(f));
    }
    return out;
  }

  /** A JSON line's fields, in their order; fails on anything but one flat object of strings, numbers and nulls. */
  public static Map<String, String> json(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not an object: " + line);
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.VALUE_NULL) {
          out.put(name, null);
        } else if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT) {
          out.put(name, p.getText());
        } else {
          throw new IllegalArgumentException("unexpected " + v + " in " + line);
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IllegalArgumentException("trailing data in " + line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
