package io.mailgate.demo;

/**
 * One message of the demo INBOX, served byte for byte.
 *
 * @param uid its UID (RFC 3501 §2.3.1.1): its position, from 1, since the mailbox never changes
 * @param octets the RFC 5322 message
 * @param headerLength octets of the header, the empty line that ends it included
 */
record DemoMessage(long uid, byte[] octets, int headerLength) {

  /** Wraps {@code octets}, finding where the header ends (the first empty line, CRLF or bare LF). */
  static DemoMessage of(long uid, byte[] octets) {
    return new DemoMessage(uid, octets, headerLength(octets));
  }

  /** The octets of {@code section} (RFC 3501 §6.4.5): "" (all), HEADER or TEXT; null for any other section. */
  byte[] section(String section) {
    switch (section) {
      case "":
        return octets;
      case "HEADER":
        return java.util.Arrays.copyOfRange(octets, 0, headerLength);
      case "TEXT":
        return java.util.Arrays.copyOfRange(octets, headerLength, octets.length);
      default:
        return null;
    }
  }

  private static int headerLength(byte[] octets) {
    for (int i = 0; i < octets.length; i++) {
      if (octets[i] != '\n') {
        continue;
      }
      // An empty line follows this LF: the header ends after it.
      if (i + 1 < octets.length && octets[i + 1] == '\n') {
        return i + 2;
      }
      if (i + 2 < octets.length && octets[i + 1] == '\r' && octets[i + 2] == '\n') {
        return i + 3;
      }
    }
    return octets.length;
  }
}
