package io.mailgate.log;

/**
 * Makes untrusted text (backend banners, auth-service messages, user names) safe for a log line: control characters
 * are escaped and the length is capped, so a client cannot forge log lines or flood the log (as Dovecot's
 * {@code str_sanitize}).
 */
public final class Sanitize {

  private Sanitize() {}

  /** {@code text} with CR, LF and other control characters as {@code \xNN}, cut to {@code max} characters. */
  public static String forLog(String text, int max) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
    for (int i = 0; i < text.length(); i++) {
      if (out.length() >= max) {
        out.append("...");
        break;
      }
      char c = text.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        out.append(String.format("\\x%02X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
