package io.mailgate.backend;

import java.util.Optional;

/**
 * A failed backend login. The message is for the error log and never contains credentials; {@link #backendReply()}
 * is the backend's own error line(s), relayed to the client only with {@code proxy_pass_error_message on}.
 */
public final class BackendLoginException extends Exception {

  private final BackendFailure failure;
  private final transient Optional<String> backendReply;

  /** A failure with the backend's reply lines (CRLF-terminated), when it sent any. */
  public BackendLoginException(BackendFailure failure, String message, Optional<String> backendReply) {
    super(message, null, false, false);
    this.failure = failure;
    this.backendReply = backendReply;
  }

  /** What kind of failure this is. */
  public BackendFailure failure() {
    return failure;
  }

  /** The backend's reply to relay with {@code proxy_pass_error_message on}, CRLF-terminated. */
  public Optional<String> backendReply() {
    return backendReply;
  }
}
