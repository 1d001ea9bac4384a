package io.mailgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DemoImapDecoderTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new DemoImapDecoder());

  @AfterEach
  void release() {
    channel.finishAndReleaseAll();
  }

  @Test
  void aCommandWithBothKindsOfLiteralArrivingByteByByteIsOneRequest() {
    for (byte b : bytes("a1 LOGIN {3}\r\nabc {2+}\r\nde\r\n")) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    DemoRequest request = channel.readInbound();
    assertThat(texts(request.lines())).containsExactly("a1 LOGIN ", " ", "");
    assertThat(texts(request.literals())).containsExactly("abc", "de");
    assertThat(request.literalTooLarge()).isFalse();
    assertThat(request.tag()).isEqualTo("a1");
    assertThat(channel.inboundMessages()).isEmpty();
    // Only the synchronizing literal was granted.
    assertThat(outbound()).isEqualTo("+ Ready for literal data\r\n");
  }

  @Test
  void pipelinedCommandsAndBareLineFeedsAreSplitIntoRequests() {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes("a NOOP\r\nb NOOP\nc {0+}\r\n\r\n")));
    assertThat(texts(((DemoRequest) channel.readInbound()).lines())).containsExactly("a NOOP");
    assertThat(texts(((DemoRequest) channel.readInbound()).lines())).containsExactly("b NOOP");
    DemoRequest third = channel.readInbound();
    assertThat(texts(third.lines())).containsExactly("c ", "");
    assertThat(texts(third.literals())).containsExactly("");
  }

  @Test
  void literalOctetsAreTakenVerbatimEvenWhenTheyHoldLineEnds() {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes("a LOGIN {4+}\r\n\r\n{1}\r\n")));
    DemoRequest request = channel.readInbound();
    assertThat(texts(request.literals())).containsExactly("\r\n{1");
    assertThat(texts(request.lines())).containsExactly("a LOGIN ", "}");
  }

  @Test
  void onlyAWellFormedMarkerAtTheEndOfALineIsALiteral() {
    assertThat(DemoImapDecoder.LiteralMarker.at(bytes("a {12}"))).isEqualTo(
        new DemoImapDecoder.LiteralMarker(2, 12, true));
    assertThat(DemoImapDecoder.LiteralMarker.at(bytes("{4294967295+}"))).isEqualTo(
        new DemoImapDecoder.LiteralMarker(0, 4294967295L, false));
    for (String notALiteral : List.of("a {}", "a {+}", "a {1x}", "a 12}", "a {12345678901}", "}", "a {1} ")) {
      assertThat(DemoImapDecoder.LiteralMarker.at(bytes(notALiteral))).as(notALiteral).isNull();
    }
  }

  @Test
  void aTooLargeSynchronizingLiteralIsFlaggedAndNotAwaited() {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes("a LOGIN {65537}\r\nb NOOP\r\n")));
    DemoRequest refused = channel.readInbound();
    assertThat(refused.literalTooLarge()).isTrue();
    assertThat(refused.tag()).isEqualTo("a");
    assertThat(texts(((DemoRequest) channel.readInbound()).lines())).containsExactly("b NOOP");
    assertThat(channel.outboundMessages()).isEmpty();
  }

  @Test
  void literalsMayTotal64KbPerCommand() {
    String half = "x".repeat(DemoImapDecoder.MAX_LITERALS / 2);
    channel.writeInbound(Unpooled.wrappedBuffer(bytes("a LOGIN {32768+}\r\n" + half + " {32768+}\r\n" + half
        + "\r\nb LOGIN {32768+}\r\n" + half + " {32769}\r\n")));
    assertThat(((DemoRequest) channel.readInbound()).literals()).hasSize(2);
    assertThat(((DemoRequest) channel.readInbound()).literalTooLarge()).isTrue();
  }

  @Test
  void aLineOver8KbGetsByeAndClosesTheChannel() {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes("a NOOP " + "x".repeat(DemoImapDecoder.MAX_LINE))));
    assertThat(channel.inboundMessages()).isEmpty();
    assertThat(outbound()).isEqualTo("* BYE line too long\r\n");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aTooLargeNonSynchronizingLiteralGetsByeAndClosesTheChannel() {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes("a LOGIN {65537+}\r\nxxxx\r\n")));
    assertThat(channel.inboundMessages()).isEmpty();
    assertThat(outbound()).isEqualTo("* BYE literal too large\r\n");
    assertThat(channel.isOpen()).isFalse();
  }

  private String outbound() {
    StringBuilder text = new StringBuilder();
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      text.append(buf.toString(StandardCharsets.US_ASCII));
      buf.release();
    }
    return text.toString();
  }

  private static List<String> texts(List<byte[]> parts) {
    return parts.stream().map(p -> new String(p, StandardCharsets.UTF_8)).collect(Collectors.toList());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
