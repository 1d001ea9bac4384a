package io.mailgate.auth;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The head of one auth_http response: the optional status line and the headers, values as raw bytes.
 * Names are case-insensitive; a repeated header keeps its last value.
 */
final class AuthResponse {

  private final Optional<String> statusLine;
  private final Map<String, byte[]> headers;

  /** {@code headers} is keyed by lower-case name and must not change afterwards. */
  AuthResponse(Optional<String> statusLine, Map<String, byte[]> headers) {
    this.statusLine = statusLine;
    this.headers = headers;
  }

  /** The status line without its line end, when the response had one. */
  Optional<String> statusLine() {
    return statusLine;
  }

  /** The raw value of header {@code name}, looked up case-insensitively. */
  Optional<byte[]> header(String name) {
    byte[] value = headers.get(name.toLowerCase(Locale.ROOT));
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  /** The value of header {@code name} as text, byte for char, so no byte is lost or replaced. */
  Optional<String> text(String name) {
    byte[] value = headers.get(name.toLowerCase(Locale.ROOT));
    return value == null ? Optional.empty() : Optional.of(new String(value, StandardCharsets.ISO_8859_1));
  }

  /**
   * Whether the server agreed to keep the connection (RFC 9112 §9.3): HTTP/1.1 and later unless
   * {@code Connection: close}, HTTP/1.0 only with {@code Connection: keep-alive}; never without a status line or with
   * a transfer coding, which this client does not decode.
   */
  boolean keepAlive() {
    if (statusLine.isEmpty() || headers.containsKey("transfer-encoding")) {
      return false;
    }
    Optional<String> connection = text("Connection");
    if (isHttp11OrLater(statusLine.get())) {
      return connection.map(c -> !hasToken(c, "close")).orElse(true);
    }
    return connection.map(c -> hasToken(c, "keep-alive")).orElse(false);
  }

  /**
   * How many body bytes follow the head, when that is known: none after a 1xx, 204 or 304 status whatever the headers
   * say (RFC 9112 §6.3, rule 1; nginx's {@code return 204} sends no {@code Content-Length}), otherwise the
   * {@code Content-Length}. Empty when only closing the connection would end the body.
   */
  OptionalLong bodyLength() {
    int status = statusCode();
    if ((status >= 100 && status < 200) || status == 204 || status == 304) {
      return OptionalLong.of(0);
    }
    return contentLength();
  }

  /** The three-digit status code of the status line, or -1 without a well-formed one. */
  int statusCode() {
    if (statusLine.isEmpty()) {
      return -1;
    }
    String line = statusLine.get();
    int space = line.indexOf(' ');
    if (space < 0 || line.length() < space + 4) {
      return -1;
    }
    String code = line.substring(space + 1, space + 4);
    boolean endsThere = line.length() == space + 4 || line.charAt(space + 4) == ' ';
    return endsThere && isDigits(code) ? Integer.parseInt(code) : -1;
  }

  /** {@code Content-Length} when it is a plain decimal number (RFC 9110 §8.6); anything else is treated as absent. */
  OptionalLong contentLength() {
    Optional<String> value = text("Content-Length");
    if (value.isEmpty() || !isDigits(value.get()) || value.get().length() > 18) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(value.get()));
  }

  /** True for a non-empty string of ASCII digits (what nginx's {@code ngx_atoi} accepts). */
  static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isHttp11OrLater(String statusLine) {
    // "HTTP/" major "." minor, then a space or the end of the line.
    int dot = statusLine.indexOf('.', 5);
    if (dot < 0) {
      return false;
    }
    int end = statusLine.indexOf(' ', dot);
    String major = statusLine.substring(5, dot);
    String minor = statusLine.substring(dot + 1, end < 0 ? statusLine.length() : end);
    if (!isDigits(major) || !isDigits(minor) || major.length() > 3 || minor.length() > 3) {
      return false;
    }
    int maj = Integer.parseInt(major);
    return maj > 1 || (maj == 1 && Integer.parseInt(minor) >= 1);
  }

  private static boolean hasToken(String list, String token) {
    for (String part : list.split(",", -1)) {
      if (part.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }
}
