package io.mailgate.interop;

/** The mail protocols of the matrix, with their URL schemes (curl's, mutt's, fetchmail's names). */
enum Protocol {
  IMAP("imap", "imaps"),
  POP3("pop3", "pop3s"),
  SMTP("smtp", "smtps");

  private final String scheme;
  private final String tlsScheme;

  Protocol(String scheme, String tlsScheme) {
    this.scheme = scheme;
    this.tlsScheme = tlsScheme;
  }

  /** The lower-case name, also the URL scheme in cleartext and with STARTTLS. */
  String scheme() {
    return scheme;
  }

  /** The URL scheme with implicit TLS (RFC 8314). */
  String tlsScheme() {
    return tlsScheme;
  }

  /** Whether a session on this protocol reads mail (IMAP, POP3) rather than sends it (SMTP). */
  boolean reads() {
    return this != SMTP;
  }
}
