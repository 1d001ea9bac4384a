package io.mailgate.smtp;

import io.mailgate.config.SmtpConfig;
import io.mailgate.sasl.Mechanism;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The EHLO reply and the extension keywords it promises (RFC 5321 §4.1.1.1, nginx's merged capability text). */
final class SmtpCapabilities {

  private SmtpCapabilities() {}

  /**
   * The EHLO reply lines without CRLF: {@code 250-<server_name>}, the {@code smtp_capabilities} entries in the order
   * written, then {@code AUTH} with the enabled mechanisms in nginx's fixed order (none when only {@code none} is
   * enabled), then {@code STARTTLS} while it is offered (RFC 3207); the last line has {@code 250 }. With
   * {@code starttls only} before the upgrade there is no AUTH line.
   *
   * @param starttls STARTTLS is offered now
   * @param tlsRequired {@code starttls only} and no TLS yet
   */
  static List<String> ehloReply(String serverName, SmtpConfig smtp, boolean starttls, boolean tlsRequired) {
    List<String> items = new ArrayList<>();
    items.add(serverName);
    items.addAll(smtp.capabilities());
    String auth = authLine(smtp);
    if (!auth.isEmpty() && !tlsRequired) {
      items.add(auth);
    }
    if (starttls) {
      items.add("STARTTLS");
    }
    List<String> lines = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      lines.add((i == items.size() - 1 ? "250 " : "250-") + items.get(i));
    }
    return lines;
  }

  /** {@code AUTH PLAIN LOGIN ...}, or "" when no SASL mechanism is enabled. */
  static String authLine(SmtpConfig smtp) {
    StringBuilder line = new StringBuilder();
    for (Mechanism m : Mechanism.values()) {
      if (m != Mechanism.NONE && m != Mechanism.APOP && smtp.auth().contains(m)) {
        line.append(' ').append(m.saslName());
      }
    }
    return line.length() == 0 ? "" : "AUTH" + line;
  }

  /** The upper-case keywords of the {@code smtp_capabilities} entries ({@code "SIZE 1000"} promises {@code SIZE}). */
  static Set<String> promisedKeywords(SmtpConfig smtp) {
    Set<String> keywords = new LinkedHashSet<>();
    for (String capability : smtp.capabilities()) {
      keywords.add(keyword(capability));
    }
    return keywords;
  }

  /** The ehlo-keyword of an EHLO line's text: up to the first space (or {@code =}, the pre-RFC AUTH= form). */
  static String keyword(String text) {
    String trimmed = text.strip();
    int end = 0;
    while (end < trimmed.length() && trimmed.charAt(end) != ' ' && trimmed.charAt(end) != '=') {
      end++;
    }
    return trimmed.substring(0, end).toUpperCase(Locale.ROOT);
  }
}
