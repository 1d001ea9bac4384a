package io.mailgate.accesslog;

import java.nio.charset.StandardCharsets;

/**
 * nginx-style text: space-separated fields in a fixed order, {@code -} for a missing value, free text (user, close
 * reason) in double quotes. In every field a double quote, a backslash, a control character, a space outside quotes
 * and every byte of a non-ASCII character (in UTF-8) are written as {@code \"}, {@code \\} or {@code \xNN}, as nginx's
 * {@code escape=default}, so a line is always one line of ASCII and splits unambiguously:
 *
 * <pre>time start session protocol listener client tls_protocol tls_cipher "user" mechanism result backend
 * bytes_from_client bytes_to_client duration_ms "close_reason"</pre>
 */
final class TextLineFormat implements LineFormat {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  @Override
  public String format(AccessLogEntry e) {
    StringBuilder b = new StringBuilder(256);
    b.append(LineFormat.time(e.endMillis())).append(' ');
    b.append(LineFormat.time(e.startMillis())).append(' ');
    token(b, e.id());
    token(b, e.protocol());
    token(b, e.listener());
    token(b, e.client());
    token(b, e.tlsProtocol());
    token(b, e.tlsCipher());
    quoted(b, e.user(), MAX_USER);
    token(b, e.mechanism());
    token(b, e.outcome());
    token(b, e.backend());
    b.append(e.bytesFromClient()).append(' ');
    b.append(e.bytesToClient()).append(' ');
    b.append(e.durationMillis()).append(' ');
    quoted(b, e.closeReason(), MAX_TEXT);
    b.setLength(b.length() - 1);
    return b.toString();
  }

  private static void token(StringBuilder b, String value) {
    if (value == null || value.isEmpty()) {
      b.append("- ");
      return;
    }
    escape(b, value, MAX_TOKEN, false);
    b.append(' ');
  }

  private static void quoted(StringBuilder b, String value, int max) {
    if (value == null) {
      b.append("- ");
      return;
    }
    b.append('"');
    escape(b, value, max, true);
    b.append("\" ");
  }

  /**
   * Appends {@code text}, cut after {@code max} characters of the original (marked {@code ...}), escaped as the class
   * says; spaces stay only inside quotes.
   */
  static void escape(StringBuilder b, String text, int max, boolean inQuotes) {
    int n = text.length();
    for (int i = 0; i < n; ) {
      if (i >= max) {
        b.append("...");
        return;
      }
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      if (cp == '"' || cp == '\\') {
        b.append('\\').append((char) cp);
      } else if (cp < 0x20 || cp == 0x7f || cp == ' ' && !inQuotes) {
        hex(b, cp);
      } else if (cp < 0x80) {
        b.append((char) cp);
      } else {
        // A lone surrogate has no UTF-8 form: getBytes writes '?' for it, which is what the line shows.
        for (byte x : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          hex(b, x & 0xff);
        }
      }
      i += width;
    }
  }

  private static void hex(StringBuilder b, int value) {
    b.append("\\x").append(HEX[value >>> 4]).append(HEX[value & 0x0f]);
  }
}
