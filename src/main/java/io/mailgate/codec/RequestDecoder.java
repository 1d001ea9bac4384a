package io.mailgate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Drives a protocol's {@link RequestParser} over the bytes a client sends before login, with the flow control a login
 * needs.
 *
 * <p>The handler after this one may call {@link #pause()}, {@link #expectSaslResponse()} and
 * {@link #discardBuffered()} from inside {@code channelRead}; each is honoured before the next buffered byte is
 * parsed. While paused, input is buffered up to {@code pausedLimit} bytes, then auto-read is turned off until
 * {@link #resume} (Netty's {@code ByteToMessageDecoder} would keep calling {@code read()} while auto-read is off and
 * nothing decodes, so this handler keeps its own buffer). When this handler is removed, the bytes it has not turned
 * into requests are passed on as one {@link ByteBuf}, so commands pipelined after a login reach the backend in order.
 * Not sharable.
 *
 * @param <R> the parser's request type
 */
public class RequestDecoder<R> extends ChannelInboundHandlerAdapter {

  private final RequestParser<R> parser;
  private final int pausedLimit;
  private ChannelHandlerContext context;
  /** Undecoded input; {@code scanned} bytes of it are already inside the parser. Same event loop: no volatile. */
  private ByteBuf buffer;
  private int scanned;
  private boolean paused;
  private boolean failed;
  private boolean removed;
  private boolean decoding;
  private boolean autoReadTurnedOff;

  /**
   * Creates a decoder in command mode.
   *
   * @param parser the protocol's parser, owned by this decoder from now on
   * @param pausedLimit bytes held while paused before reading stops
   */
  public RequestDecoder(RequestParser<R> parser, int pausedLimit) {
    this.parser = parser;
    this.pausedLimit = pausedLimit;
  }

  /** The next line is a SASL response (one line, then back to command mode). */
  public void expectSaslResponse() {
    parser.expectSaslResponse();
  }

  /** Emits nothing more until {@link #resume}; input keeps being buffered, within a bound. */
  public void pause() {
    paused = true;
  }

  /**
   * Decodes what is buffered now and lifts the pause; call on the event loop. Requests are fired from this
   * decoder's own context whatever {@code ctx} is given (it may be the caller's), followed by a
   * {@code channelReadComplete} if any was fired.
   */
  public void resume(ChannelHandlerContext ctx) {
    paused = false;
    boolean fired = decode();
    if (autoReadTurnedOff && !overPausedLimit()) {
      autoReadTurnedOff = false;
      context.channel().config().setAutoRead(true);
    }
    if (fired && !removed) {
      context.fireChannelReadComplete();
    }
  }

  /** Drops every buffered byte and any partial line (STARTTLS: cleartext pipelined after it must not run in TLS). */
  public void discardBuffered() {
    releaseBuffer();
    parser.reset();
  }

  /** Bytes held and not yet turned into requests (for tests and diagnostics). */
  public int bufferedBytes() {
    return buffer == null ? 0 : buffer.readableBytes();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf in = (ByteBuf) msg;
    if (failed || removed) {
      in.release();
      return;
    }
    if (buffer == null) {
      buffer = in;
    } else {
      if (buffer.refCnt() == 1) {
        buffer.discardSomeReadBytes();
      }
      buffer = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buffer, in);
    }
    decode();
    if (overPausedLimit() && ctx.channel().config().isAutoRead()) {
      // Stop reading instead of buffering without bound while the session waits (auth lookup, backend login).
      autoReadTurnedOff = true;
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseBuffer();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    removed = true;
    ByteBuf rest = buffer;
    buffer = null;
    scanned = 0;
    if (rest == null) {
      return;
    }
    if (rest.isReadable()) {
      ctx.fireChannelRead(rest);
      ctx.fireChannelReadComplete();
    } else {
      rest.release();
    }
  }

  /** Parses buffered bytes until paused, out of input or done; returns whether a request was fired. */
  private boolean decode() {
    if (decoding) {
      // Re-entered from a handler reacting to a request: the outer loop re-checks the flags and goes on.
      return false;
    }
    decoding = true;
    boolean fired = false;
    try {
      // Every callback below may pause, discard, remove or close: the fields are re-read on every iteration.
      while (!paused && !failed && !removed && buffer != null && scanned < buffer.readableBytes()) {
        RequestParser.Step step = parser.accept(buffer.getByte(buffer.readerIndex() + scanned));
        scanned++;
        if (step == RequestParser.Step.CONTINUE) {
          context.writeAndFlush(Unpooled.wrappedBuffer(parser.continuation()));
        } else if (step == RequestParser.Step.REQUEST) {
          fire(parser.takeRequest());
          fired = true;
        }
      }
    } finally {
      decoding = false;
    }
    return fired;
  }

  private void fire(R request) {
    // The bytes leave the buffer before the request is seen, so a handler that removes this decoder in response
    // forwards exactly the input that follows the request.
    buffer.skipBytes(scanned);
    scanned = 0;
    if (parser.failed()) {
      failed = true;
      releaseBuffer();
    } else if (!buffer.isReadable()) {
      releaseBuffer();
    }
    context.fireChannelRead(request);
  }

  private boolean overPausedLimit() {
    return paused && buffer != null && buffer.readableBytes() > pausedLimit;
  }

  private void releaseBuffer() {
    if (buffer != null) {
      buffer.release();
      buffer = null;
    }
    scanned = 0;
  }
}
