package io.mailgate.imap;

/**
 * RFC 3501 §9 quoted strings, as the proxy writes them: {@code DQUOTE *QUOTED-CHAR DQUOTE}, where a QUOTED-CHAR is any
 * 7-bit character but NUL, CR and LF, with {@code "} and {@code \} escaped by a backslash. Anything else could only go
 * out as a literal, which the proxy never sends in its own commands.
 */
final class ImapQuotedString {

  private ImapQuotedString() {}

  /** Whether {@code text} (one char per octet) fits in a quoted string: only %x01-7F, without CR and LF. */
  static boolean representable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0 || c == '\r' || c == '\n' || c > 0x7F) {
        return false;
      }
    }
    return true;
  }

  /** {@code text} as a quoted string; it must be {@link #representable}. */
  static String quote(String text) {
    if (!representable(text)) {
      throw new IllegalArgumentException("not representable as an IMAP quoted string");
    }
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append('"').toString();
  }

  /** RFC 3501 nstring: {@code NIL} for null, else {@link #quote}. */
  static String nstring(String text) {
    return text == null ? "NIL" : quote(text);
  }
}
