package io.mailgate.interop;

/** How a mailgate listener of the matrix offers TLS to clients. */
enum Listener {
  /** {@code starttls on}: cleartext, with STARTTLS/STLS offered. */
  STARTTLS_OFFERED,
  /** {@code starttls only}: nothing authenticates before STARTTLS (RFC 3501 §6.2.1 LOGINDISABLED, RFC 2595). */
  STARTTLS_REQUIRED,
  /** {@code listen ... ssl}: implicit TLS (RFC 8314). */
  IMPLICIT_TLS
}
