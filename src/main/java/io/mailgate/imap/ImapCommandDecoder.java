package io.mailgate.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Turns the bytes an IMAP client sends before login into {@link ImapRequest}s (nginx's
 * {@code ngx_mail_imap_parse_command}, with hardening).
 *
 * <p>Grammar: {@code tag SP+ command [SP+ argument]* (CRLF | LF)}. A tag is 1 to 32 of {@code [A-Za-z0-9-._]}; a
 * command is letters only, matched case-insensitively against the known commands. An argument is an atom (any bytes
 * but space, CR and LF), a quoted string (backslash escapes the next byte) or a literal {@code {n}} / {@code {n+}}
 * at the end of a line (RFC 3501 §4.3, RFC 7888). nginx allows three arguments; ID (RFC 2971) may have 64 and its
 * parentheses stay inside the atoms. Differences from nginx, all on input nginx accepts by accident:
 * <ul>
 *   <li>a NUL byte anywhere, a CR not followed by LF, or a CR/LF inside a quoted string makes the line invalid;</li>
 *   <li>a non-synchronizing literal on an unknown command is read and dropped, then the command gets BAD (nginx
 *       closes the session); a synchronizing literal on an unknown command ends the line without {@code +};</li>
 *   <li>a synchronizing literal is granted ({@code + OK}, written by this decoder) only if the command, the literal
 *       and two line ends fit in the command limit; otherwise the line is invalid and no {@code +} is sent;</li>
 *   <li>any other invalid line that ends in <code>+}</code> ends the session, as in nginx, since the literal the
 *       client sends next would be read as commands.</li>
 * </ul>
 *
 * <p>Limits count every byte of a command, literals and line ends included. A command line may be
 * {@code commandLimit} bytes ({@code imap_client_buffer}). A line whose command is AUTHENTICATE, and a SASL response
 * line, may be {@code saslLineLimit} bytes, whichever is larger: OAuth bearer tokens are 2 to 6 KB and RFC 4954 §4
 * names 12,288 octets, more than the usual 4 KB buffer. A line past its limit yields {@code Invalid} with
 * {@code close} as soon as the limit is passed, and all later input is dropped.
 *
 * <p>Flow control: the handler after this one may call {@link #pause()}, {@link #expectSaslResponse()} and
 * {@link #discardBuffered()} from inside {@code channelRead}; each is honoured before the next buffered byte is
 * parsed. While paused, input is buffered up to {@code 4 * max(commandLimit, saslLineLimit)} bytes, then auto-read is
 * turned off until {@link #resume}. When this handler is removed, the bytes it has not turned into requests are
 * passed on as one {@link ByteBuf}, so commands pipelined after a login reach the backend in order. Not sharable.
 */
public final class ImapCommandDecoder extends ChannelInboundHandlerAdapter {

  private static final byte[] CONTINUATION = "+ OK\r\n".getBytes(StandardCharsets.US_ASCII);

  private final ImapCommandParser parser;
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
   * @param commandLimit longest command in bytes, literals included ({@code imap_client_buffer})
   * @param saslLineLimit longest AUTHENTICATE line or SASL response line (16384)
   * @param knownCommands upper-case command names, e.g. CAPABILITY NOOP LOGOUT LOGIN AUTHENTICATE STARTTLS ID
   */
  public ImapCommandDecoder(int commandLimit, int saslLineLimit, Set<String> knownCommands) {
    this.parser = new ImapCommandParser(commandLimit, saslLineLimit, knownCommands);
    this.pausedLimit = Math.multiplyExact(Math.max(commandLimit, saslLineLimit), 4);
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
  int bufferedBytes() {
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
        ImapCommandParser.Step step = parser.accept(buffer.getByte(buffer.readerIndex() + scanned));
        scanned++;
        if (step == ImapCommandParser.Step.CONTINUE) {
          context.writeAndFlush(Unpooled.wrappedBuffer(CONTINUATION));
        } else if (step == ImapCommandParser.Step.REQUEST) {
          fire(parser.takeRequest());
          fired = true;
        }
      }
    } finally {
      decoding = false;
    }
    return fired;
  }

  private void fire(ImapRequest request) {
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
