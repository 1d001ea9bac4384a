package io.mailgate.codec;

/**
 * The bookkeeping every line-oriented {@link RequestParser} shares, so that each protocol's parser holds only its
 * grammar: the line limits (a command line is bounded by the client buffer; a SASL line by the larger SASL limit), the
 * "next line is a SASL response" switch, the completed request waiting to be taken, and the failed state after a line
 * passed its limit. Subclasses call {@link #startLine()} at the end of their constructor and reset their own line state
 * in {@link #onLineStart}.
 *
 * @param <R> the protocol's request type
 */
public abstract class LineRequestParser<R> implements RequestParser<R> {

  private final int commandLimit;
  private final int saslLineLimit;
  private boolean saslNext;
  private boolean saslLine;
  private int lineBytes;
  private int lineLimit;
  private boolean failed;
  private R request;

  /**
   * @param commandLimit longest command line, line end included (the protocol's {@code *_client_buffer})
   * @param saslLineLimit longest SASL line (AUTH/AUTHENTICATE and responses); never less than {@code commandLimit}
   */
  protected LineRequestParser(int commandLimit, int saslLineLimit) {
    if (commandLimit <= 0 || saslLineLimit <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.commandLimit = commandLimit;
    this.saslLineLimit = Math.max(commandLimit, saslLineLimit);
  }

  /** A new line begins; {@code sasl} tells whether it is a SASL response. Reset the grammar's state here. */
  protected abstract void onLineStart(boolean sasl);

  /** Begins a line: a SASL response if one was asked for, a command otherwise. */
  protected final void startLine() {
    saslLine = saslNext;
    saslNext = false;
    lineLimit = saslLine ? saslLineLimit : commandLimit;
    lineBytes = 0;
    onLineStart(saslLine);
  }

  /** Parses the next line (or the current one, if none of it has arrived yet) as a SASL response. */
  @Override
  public final void expectSaslResponse() {
    saslNext = true;
    if (!failed && lineBytes == 0) {
      startLine();
    }
  }

  /** Forgets the partial line and any pending SASL expectation, and leaves the failed state. */
  @Override
  public final void reset() {
    saslNext = false;
    request = null;
    failed = false;
    startLine();
  }

  /** True after a request that ended the session: the parser then ignores all input. */
  @Override
  public final boolean failed() {
    return failed;
  }

  /** Returns the request completed by the last {@link Step#REQUEST}, once. */
  @Override
  public final R takeRequest() {
    R taken = request;
    if (taken == null) {
      throw new IllegalStateException("no request");
    }
    request = null;
    return taken;
  }

  /** Counts one more byte of the line; false once the line passed its limit (checked before the byte is used). */
  protected final boolean withinLimit() {
    return ++lineBytes <= lineLimit;
  }

  /** Bytes of the current line so far, this one included. */
  protected final int lineBytes() {
    return lineBytes;
  }

  /** The current line's limit. */
  protected final int lineLimit() {
    return lineLimit;
  }

  /** Whether the current line is a SASL response. */
  protected final boolean saslLine() {
    return saslLine;
  }

  /** The current line turned out to carry SASL data (an AUTH/AUTHENTICATE command): it gets the SASL limit. */
  protected final void allowSaslLength() {
    lineLimit = saslLineLimit;
  }

  /** Completes {@code completed} and begins the next line. */
  protected final Step emit(R completed) {
    request = completed;
    startLine();
    return Step.REQUEST;
  }

  /** Completes {@code last}, after which the session ends and all input is ignored. */
  protected final Step fail(R last) {
    request = last;
    failed = true;
    return Step.REQUEST;
  }
}
