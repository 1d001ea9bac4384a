package io.mailgate.demo;

import java.util.Locale;

/** LIST/LSUB pattern matching against the store's only mailbox, INBOX (RFC 3501 §6.3.8). */
final class MailboxPattern {

  private static final String INBOX = "INBOX";

  private MailboxPattern() {}

  /**
   * Whether reference and pattern, joined, match {@code INBOX}: {@code *} matches anything, {@code %} anything but the
   * hierarchy delimiter "/", and INBOX matches in any case (RFC 3501 §5.1).
   */
  static boolean matchesInbox(String canonical) {
    String pattern = canonical.toUpperCase(Locale.ROOT);
    // matched[n]: the pattern read so far matches the first n characters of INBOX. Linear in the pattern, so a
    // pattern of thousands of wildcards costs no more than any other.
    boolean[] matched = new boolean[INBOX.length() + 1];
    matched[0] = true;
    for (int p = 0; p < pattern.length(); p++) {
      char c = pattern.charAt(p);
      boolean[] next = new boolean[matched.length];
      for (int n = 0; n < matched.length; n++) {
        if (c == '*' || c == '%') {
          // INBOX holds no "/", so % and * match the same here.
          next[n] = matched[n] || (n > 0 && next[n - 1]);
        } else {
          next[n] = n > 0 && matched[n - 1] && INBOX.charAt(n - 1) == c;
        }
      }
      matched = next;
    }
    return matched[INBOX.length()];
  }
}
