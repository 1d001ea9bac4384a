package io.mailgate.session;

import io.mailgate.auth.AuthResult;
import java.util.Optional;

/**
 * What the protocol-neutral {@link LoginFlow} asks of a protocol's front end: the protocol-specific wording of
 * authentication outcomes. Every method is called on the session's event loop.
 */
public interface LoginFrontend {

  /** The client's host name for {@code Client-Host}, when the protocol sends one (SMTP: {@code [UNAVAILABLE]}). */
  default Optional<String> clientHost() {
    return Optional.empty();
  }

  /** The failure reply for a rejected login: IMAP {@code <tag> NO <text>}, POP3 {@code -ERR <text>}. No CRLF. */
  String authFailedReply(AuthResult.Rejected rejected);

  /**
   * The reply for a login refused for now, without asking the auth service (the login throttle, a session limit):
   * IMAP {@code <tag> NO [UNAVAILABLE] <text>} (RFC 5530), POP3 {@code -ERR [SYS/TEMP] <text>} (RFC 3206), SMTP
   * {@code 454 4.7.0 <text>} (RFC 4954 §6, temporary authentication failure). No CRLF.
   */
  String temporaryFailureReply(String text);

  /** The RFC 7628 §3.2.2 error challenge: IMAP/POP3 {@code + <value>}, SMTP {@code 334 <value>}. No CRLF. */
  String saslErrorChallenge(String value);

  /**
   * The failure reply is out (or the error challenge, with the failure reply held back until the client
   * acknowledges it) and the session goes on: get ready for the next command.
   *
   * @param pendingAck non-null while an OAuth error challenge awaits the client's dummy response
   */
  void authFailed(PendingSaslError pendingAck);

  /**
   * An RFC 7628 error challenge waiting for the client's acknowledgement.
   *
   * @param failureReply the reply to send once acknowledged (e.g. {@code t1 NO auth failed})
   * @param closeAfter whether the session ends after the exchange (the auth service sent no {@code Auth-Wait})
   */
  record PendingSaslError(String failureReply, boolean closeAfter) {}
}
