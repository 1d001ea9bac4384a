package io.mailgate.tls;

/**
 * A TLS start-up failure. The message reads like nginx's {@code [emerg]} text, e.g.
 * {@code cannot load certificate "/x/a.crt": ...}; it never contains a password.
 */
public final class TlsSetupException extends Exception {

  /** A failure with nginx-like text. */
  public TlsSetupException(String message) {
    super(message);
  }

  /** A failure with nginx-like text and its cause. */
  public TlsSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
