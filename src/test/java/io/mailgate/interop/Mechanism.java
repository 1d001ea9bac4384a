package io.mailgate.interop;

/** How a client logs in. */
enum Mechanism {
  /** The protocol's own command: IMAP {@code LOGIN}, POP3 {@code USER}/{@code PASS} (RFC 1939 §7). */
  DEFAULT("login-command", false),
  PLAIN("PLAIN", false),
  LOGIN("LOGIN", false),
  CRAM_MD5("CRAM-MD5", false),
  XOAUTH2("XOAUTH2", true),
  /** RFC 7628. */
  OAUTHBEARER("OAUTHBEARER", true),
  /** No login: SMTP to an MX-mode listener ({@code smtp_auth none}). */
  NONE("none", false);

  private final String saslName;
  private final boolean bearer;

  Mechanism(String saslName, boolean bearer) {
    this.saslName = saslName;
    this.bearer = bearer;
  }

  /** The SASL name (RFC 4422), or a label for {@link #DEFAULT} and {@link #NONE}. */
  String saslName() {
    return saslName;
  }

  /** Whether the secret is an OAuth 2.0 bearer token rather than a password. */
  boolean bearer() {
    return bearer;
  }

  /** Whether the client proves anything at all. */
  boolean authenticates() {
    return this != NONE;
  }
}
