package io.mailgate.codec;

/**
 * A protocol's request parser before login, fed one byte at a time by a {@link RequestDecoder}, so every split of the
 * input parses the same way and nothing is buffered twice. Implementations bound what they hold themselves.
 *
 * @param <R> the requests it produces (commands, SASL responses, invalid lines)
 */
public interface RequestParser<R> {

  /** What the decoder must do after a byte. */
  enum Step {
    /** Nothing yet: feed the next byte. */
    MORE,
    /** Send {@link #continuation()} to the client (IMAP's {@code + OK} for a synchronizing literal). */
    CONTINUE,
    /** A request is complete: collect it with {@link #takeRequest()}. */
    REQUEST
  }

  /** Consumes one byte. */
  Step accept(byte b);

  /** The request completed by the last {@link Step#REQUEST}. */
  R takeRequest();

  /** True once the parser has given up (a line past its limit): the session ends, further input is dropped. */
  boolean failed();

  /** Forgets any partial line (STARTTLS: cleartext pipelined before the handshake must not run inside TLS). */
  void reset();

  /** The next line is a SASL response (one line, then back to commands). */
  void expectSaslResponse();

  /** The bytes a {@link Step#CONTINUE} asks to send; protocols without continuations never return that step. */
  default byte[] continuation() {
    throw new UnsupportedOperationException("no continuation in this protocol");
  }
}
