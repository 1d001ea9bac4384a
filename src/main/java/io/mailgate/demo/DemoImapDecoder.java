package io.mailgate.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames the demo store's input into {@link DemoRequest}s: a line (CRLF, or a bare LF), and when it ends in a literal
 * marker <code>{n}</code> or <code>{n+}</code> (RFC 3501 §4.3, RFC 7888), the n octets that follow and the rest of the
 * command. A synchronizing literal is granted with a {@code +} continuation written here.
 *
 * <p>Bounds: each line may be {@link #MAX_LINE} octets, and the literals of one command {@link #MAX_LITERALS} in all. A
 * longer line ends the session ({@code * BYE}); so does a too large non-synchronizing literal, since its octets are
 * already on the way and would be read as commands. A too large synchronizing literal is refused (the request is
 * marked, and the session answers {@code BAD}) and the client sends nothing more for it.
 */
final class DemoImapDecoder extends ByteToMessageDecoder {

  /** Longest line, line end included. */
  static final int MAX_LINE = 8 * 1024;
  /** Most literal octets in one command. */
  static final int MAX_LITERALS = 64 * 1024;

  private final List<byte[]> lines = new ArrayList<>();
  private final List<byte[]> literals = new ArrayList<>();
  private int literalOctets;
  /** Octets of the literal being read, or -1 while reading a line. */
  private int pendingLiteral = -1;
  private boolean closing;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!closing && in.isReadable()) {
      if (pendingLiteral >= 0) {
        if (in.readableBytes() < pendingLiteral) {
          return;
        }
        byte[] literal = new byte[pendingLiteral];
        in.readBytes(literal);
        literals.add(literal);
        pendingLiteral = -1;
        continue;
      }
      int lf = in.forEachByte(in.readerIndex(), Math.min(in.readableBytes(), MAX_LINE), ByteProcessor.FIND_LF);
      if (lf < 0) {
        if (in.readableBytes() >= MAX_LINE) {
          bye(ctx, in, "line too long");
        }
        return;
      }
      byte[] line = new byte[lf - in.readerIndex()];
      in.readBytes(line);
      in.skipBytes(1);
      if (line.length > 0 && line[line.length - 1] == '\r') {
        line = java.util.Arrays.copyOf(line, line.length - 1);
      }
      if (!onLine(ctx, in, line, out)) {
        return;
      }
    }
    if (closing) {
      in.skipBytes(in.readableBytes());
    }
  }

  /** Handles one line; false when the session is ending. */
  private boolean onLine(ChannelHandlerContext ctx, ByteBuf in, byte[] line, List<Object> out) {
    LiteralMarker marker = LiteralMarker.at(line);
    if (marker == null) {
      lines.add(line);
      emit(out, false);
      return true;
    }
    lines.add(java.util.Arrays.copyOf(line, marker.start()));
    if (marker.octets() > MAX_LITERALS - literalOctets) {
      if (!marker.synchronizing()) {
        bye(ctx, in, "literal too large");
        return false;
      }
      emit(out, true);
      return true;
    }
    literalOctets += (int) marker.octets();
    pendingLiteral = (int) marker.octets();
    if (marker.synchronizing()) {
      ctx.writeAndFlush(Unpooled.copiedBuffer("+ Ready for literal data\r\n", StandardCharsets.US_ASCII));
    }
    return true;
  }

  private void emit(List<Object> out, boolean literalTooLarge) {
    out.add(new DemoRequest(lines, literals, literalTooLarge));
    lines.clear();
    literals.clear();
    literalOctets = 0;
  }

  private void bye(ChannelHandlerContext ctx, ByteBuf in, String why) {
    closing = true;
    in.skipBytes(in.readableBytes());
    ctx.writeAndFlush(Unpooled.copiedBuffer("* BYE " + why + "\r\n", StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * A literal marker at the end of a line.
   *
   * @param start where the marker starts in the line
   * @param octets the announced size
   * @param synchronizing false for RFC 7888's <code>{n+}</code>
   */
  record LiteralMarker(int start, long octets, boolean synchronizing) {

    /** The marker ending {@code line}, or null. */
    static LiteralMarker at(byte[] line) {
      int i = line.length - 1;
      if (i < 2 || line[i] != '}') {
        return null;
      }
      i--;
      boolean synchronizing = line[i] != '+';
      if (!synchronizing) {
        i--;
      }
      int digitsEnd = i + 1;
      while (i >= 0 && line[i] >= '0' && line[i] <= '9') {
        i--;
      }
      int digits = digitsEnd - (i + 1);
      // Ten digits cover RFC 3501's number (up to 4,294,967,295) and cannot overflow a long.
      if (digits == 0 || digits > 10 || i < 0 || line[i] != '{') {
        return null;
      }
      long octets = Long.parseLong(new String(line, i + 1, digits, StandardCharsets.US_ASCII));
      return new LiteralMarker(i, octets, synchronizing);
    }
  }
}
