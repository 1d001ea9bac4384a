package io.mailgate.session;

import io.mailgate.backend.BackendLogin;

/**
 * One mail protocol (the Java analogue of nginx's {@code ngx_mail_protocol_t}): how a client session starts, how the
 * proxy logs in to a backend, and the fixed replies the protocol-neutral core needs. The core never imports a
 * protocol package; it only talks to this interface.
 */
public interface MailProtocol {

  /** {@code imap}, {@code pop3} or {@code smtp}: the {@code Auth-Protocol} value and the log name. */
  String name();

  /** Adds the protocol's framer and front-end handler to the new client channel and sends the greeting. */
  void startSession(ClientSession session);

  /** The backend login (banner, LOGIN/USER-PASS/XCLIENT...) for one session. */
  BackendLogin newBackendLogin(ClientSession session);

  /**
   * Whether the auth service must return {@code Auth-Pass} when the client sent no usable password (CRAM-MD5, APOP,
   * EXTERNAL): true for IMAP and POP3, whose backend login needs one; nginx lets SMTP go on without it.
   */
  default boolean backendLoginNeedsPassword() {
    return true;
  }

  /** The reply when the client's certificate fails {@code ssl_verify_client} ({@code * BYE SSL certificate error}). */
  String certificateErrorReply();

  /** The reply when {@code ssl_verify_client on} gets no certificate ({@code * BYE No required SSL certificate}). */
  String noCertificateReply();

  /** The reply for an internal failure, sent before closing ({@code * BAD internal server error}). */
  String internalErrorReply();

  /**
   * The line a client waiting for its next command gets when mailgate stops gracefully, before the connection
   * closes ({@code * BYE ...}, RFC 3501 §7.1.5; SMTP's 421, RFC 5321 §3.8).
   */
  String shutdownReply();

  /**
   * The line a connection refused by a connection limit gets before it closes, in place of the greeting ({@code * BYE
   * Too many connections}; POP3 {@code -ERR [SYS/TEMP] ...}, RFC 3206; SMTP {@code 421 4.7.0 ...}, RFC 5321 §3.8).
   */
  String tooManyConnectionsReply();
}
