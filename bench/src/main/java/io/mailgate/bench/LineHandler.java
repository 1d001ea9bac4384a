package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Splits a mail protocol's byte stream into lines (CRLF, or a bare LF), with the two escapes these protocols have:
 * a counted literal (IMAP {@code {n}}, RFC 3501 §4.3), skipped or collected without scanning it for line ends, and a
 * dot-terminated data block (POP3 RETR, RFC 1939 §3; SMTP DATA, RFC 5321 §4.5.2), scanned for its end line without
 * making a string of every line. Shared by the fake servers and the load generator's clients, so both sides are as
 * cheap as each other. Writes are flushed once per read batch ({@code channelReadComplete}). Not sharable.
 */
public abstract class LineHandler extends ChannelInboundHandlerAdapter {

  /** The longest line kept; longer input closes the connection (a benchmark peer never sends one). */
  static final int MAX_LINE = 64 * 1024;
  /** Literals up to this size are collected when asked for; larger ones are always skipped. */
  static final int MAX_COLLECTED_LITERAL = 64 * 1024;

  private ByteBuf partial;
  private long literalRemaining;
  private long literalLength;
  private ByteBuf literal;
  private boolean dataMode;
  private long dataBytes;
  private int dataLineLength;
  private boolean dataLineIsDot;

  /** A complete line, without its line end, decoded byte for byte (ISO-8859-1). */
  protected abstract void onLine(ChannelHandlerContext ctx, String line);

  /**
   * The literal announced by {@link #expectLiteral} has arrived.
   *
   * @param collected its bytes if collection was asked for (released after this call), else null
   * @param length its length in bytes
   */
  protected void onLiteral(ChannelHandlerContext ctx, ByteBuf collected, long length) {}

  /**
   * Bytes of the current literal as they arrive, before they are skipped or collected (the soak digests large
   * FETCH literals here without holding them). {@code length} bytes from {@code index}; the buffer is not to be
   * modified or kept.
   */
  protected void onLiteralBytes(ByteBuf in, int index, int length) {}

  /** Bytes of the current literal not yet read (0 outside a literal). */
  protected final long literalRemaining() {
    return literalRemaining;
  }

  /**
   * The terminating {@code .} line of a data block started with {@link #expectData} has arrived.
   *
   * @param bytes every byte of the block, its line ends and the terminating line included
   */
  protected void onDataEnd(ChannelHandlerContext ctx, long bytes) {}

  /** The next {@code length} bytes are a literal: collected if {@code collect} and small enough, else skipped. */
  protected final void expectLiteral(ChannelHandlerContext ctx, long length, boolean collect) {
    literalLength = length;
    literalRemaining = length;
    if (collect && length <= MAX_COLLECTED_LITERAL) {
      literal = ctx.alloc().heapBuffer((int) Math.max(length, 1));
    }
    if (length == 0) {
      finishLiteral(ctx);
    }
  }

  /** The following lines are a data block up to a line holding a single dot. */
  protected final void expectData() {
    dataMode = true;
    dataBytes = 0;
    dataLineLength = 0;
    dataLineIsDot = false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ByteBuf in = (ByteBuf) msg;
    try {
      while (in.isReadable() && ctx.channel().isOpen()) {
        if (literalRemaining > 0) {
          readLiteral(ctx, in);
        } else if (dataMode) {
          readData(ctx, in);
        } else if (!readLine(ctx, in)) {
          break;
        }
      }
    } finally {
      in.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (partial != null) {
      partial.release();
      partial = null;
    }
    if (literal != null) {
      literal.release();
      literal = null;
    }
  }

  /** Closes the connection; a bug (anything but an I/O error such as a reset) is also printed to stderr. */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      System.err.println(getClass().getSimpleName() + ": " + cause);
    }
    ctx.close();
  }

  private void readLiteral(ChannelHandlerContext ctx, ByteBuf in) {
    int n = (int) Math.min(literalRemaining, in.readableBytes());
    onLiteralBytes(in, in.readerIndex(), n);
    if (!ctx.channel().isOpen()) {
      return;
    }
    if (literal != null) {
      in.readBytes(literal, n);
    } else {
      in.skipBytes(n);
    }
    literalRemaining -= n;
    if (literalRemaining == 0) {
      finishLiteral(ctx);
    }
  }

  private void finishLiteral(ChannelHandlerContext ctx) {
    ByteBuf collected = literal;
    literal = null;
    try {
      onLiteral(ctx, collected, literalLength);
    } finally {
      if (collected != null) {
        collected.release();
      }
    }
  }

  private void readData(ChannelHandlerContext ctx, ByteBuf in) {
    int start = in.readerIndex();
    int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
    int end = lf < 0 ? in.writerIndex() : lf;
    // Only the first two bytes of a line matter: the end line is "." or ".\r".
    for (int i = start; i < end && dataLineLength < 2; i++) {
      byte b = in.getByte(i);
      dataLineIsDot = dataLineLength == 0 ? b == '.' : dataLineIsDot && b == '\r';
      dataLineLength++;
    }
    if (end - start > 2) {
      dataLineLength = 3;
    }
    if (lf < 0) {
      dataBytes += end - start;
      in.readerIndex(end);
      return;
    }
    dataBytes += lf + 1 - start;
    in.readerIndex(lf + 1);
    boolean last = dataLineIsDot && dataLineLength <= 2;
    dataLineLength = 0;
    dataLineIsDot = false;
    if (last) {
      dataMode = false;
      onDataEnd(ctx, dataBytes);
    }
  }

  /** Reads one line or keeps the partial one; false when the buffer ran out mid-line. */
  private boolean readLine(ChannelHandlerContext ctx, ByteBuf in) {
    int start = in.readerIndex();
    int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      int n = in.readableBytes();
      if (partial == null) {
        partial = ctx.alloc().heapBuffer(Math.max(256, n));
      }
      if (partial.readableBytes() + n > MAX_LINE) {
        ctx.close();
        return false;
      }
      partial.writeBytes(in, n);
      return false;
    }
    int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    String line;
    if (partial != null && partial.isReadable()) {
      partial.writeBytes(in, start, lf - start);
      int e = partial.writerIndex() - 1;
      if (e >= partial.readerIndex() && partial.getByte(e) == '\r') {
        partial.writerIndex(e);
      }
      line = partial.toString(StandardCharsets.ISO_8859_1);
      partial.clear();
    } else {
      line = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
    }
    in.readerIndex(lf + 1);
    onLine(ctx, line);
    return true;
  }
}
