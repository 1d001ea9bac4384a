package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpCommandDecoderTest {

  private static final String PIPELINED =
      "EHLO c.example\r\nMAIL FROM:<a@b> SIZE=10\r\nFOO\nBAR\r\nRCPT TO:<c@d>\r\nQUIT\r\n";

  /** Records what the decoder fires, as short strings. */
  private static final class Sink extends ChannelInboundHandlerAdapter {
    final List<String> seen = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof SmtpRequest.Command c) {
        seen.add(new String(c.line(), StandardCharsets.ISO_8859_1));
      } else if (msg instanceof SmtpRequest.Invalid i) {
        seen.add("invalid: " + i.logReason());
      } else if (msg instanceof ByteBuf b) {
        seen.add("raw: " + b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      } else {
        seen.add(String.valueOf(msg));
      }
    }
  }

  private static List<String> decode(List<byte[]> chunks) {
    Sink sink = new Sink();
    EmbeddedChannel channel = new EmbeddedChannel(new SmtpCommandDecoder(64, 256, 1024), sink);
    for (byte[] chunk : chunks) {
      channel.writeInbound(Unpooled.wrappedBuffer(chunk));
    }
    channel.finishAndReleaseAll();
    return sink.seen;
  }

  private static final List<String> EXPECTED = List.of("EHLO c.example", "MAIL FROM:<a@b> SIZE=10",
      "invalid: bare LF in line", "RCPT TO:<c@d>", "QUIT");

  @Test
  void pipelinedCommandsDecodeTheSameWhole() {
    assertThat(decode(List.of(PIPELINED.getBytes(StandardCharsets.ISO_8859_1)))).isEqualTo(EXPECTED);
  }

  @Test
  void pipelinedCommandsDecodeTheSameByteByByte() {
    List<byte[]> chunks = new ArrayList<>();
    for (byte b : PIPELINED.getBytes(StandardCharsets.ISO_8859_1)) {
      chunks.add(new byte[] {b});
    }
    assertThat(decode(chunks)).isEqualTo(EXPECTED);
  }

  @Test
  void pipelinedCommandsDecodeTheSameAtEverySplit() {
    byte[] all = PIPELINED.getBytes(StandardCharsets.ISO_8859_1);
    for (int split = 1; split < all.length; split++) {
      byte[] head = java.util.Arrays.copyOfRange(all, 0, split);
      byte[] tail = java.util.Arrays.copyOfRange(all, split, all.length);
      assertThat(decode(List.of(head, tail))).as("split at %d", split).isEqualTo(EXPECTED);
    }
  }

  @Test
  void inputHeldWhilePausedIsForwardedRawAndInOrderWhenTheDecoderIsRemoved() {
    Sink sink = new Sink();
    SmtpCommandDecoder decoder = new SmtpCommandDecoder(64, 256, 1024);
    EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof SmtpRequest.Command c && c.verb() == SmtpVerb.AUTH) {
          decoder.pause();
        }
        ctx.fireChannelRead(msg);
      }
    }, sink);
    channel.writeInbound(Unpooled.copiedBuffer("AUTH PLAIN AGEAYg==\r\nMAIL FROM:<a@b>\r\nRC",
        StandardCharsets.ISO_8859_1));
    channel.writeInbound(Unpooled.copiedBuffer("PT TO:<c@d>\r\nDATA\r\n", StandardCharsets.ISO_8859_1));
    assertThat(sink.seen).containsExactly("AUTH PLAIN AGEAYg==");
    channel.pipeline().remove(decoder);
    assertThat(sink.seen).containsExactly("AUTH PLAIN AGEAYg==",
        "raw: MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
    channel.finishAndReleaseAll();
  }
}
