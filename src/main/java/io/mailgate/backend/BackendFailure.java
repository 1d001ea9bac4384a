package io.mailgate.backend;

/** Why a backend login failed (after Dovecot's {@code login_proxy_failure_type}). The client sees an internal error, or
 * with {@code proxy_pass_error_message on} the backend's own error line when there is one. */
public enum BackendFailure {
  /** connect() failed, or the backend closed the connection during the login. */
  CONNECT,
  /** The backend did not answer within {@code timeout}. */
  TIMEOUT,
  /** The backend violated the protocol (garbage greeting, too long line, unexpected reply). */
  PROTOCOL,
  /** The backend is not set up as the proxy needs (e.g. {@code LOGINDISABLED}, a {@code PREAUTH} greeting, no
   * STARTTLS when TLS is required). */
  REMOTE_CONFIG,
  /**
   * The TLS handshake with the backend failed: untrusted or expired certificate, a name that does not match, no
   * common protocol. Never followed by a cleartext attempt.
   */
  TLS,
  /** The backend rejected the credentials. */
  AUTH_REJECTED,
  /** mailgate itself failed (no connection slot left, a bug). */
  INTERNAL
}
