package io.mailgate.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.codec.RequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser behind Netty's {@link RequestDecoder}: the same requests whatever way the input is split. */
class Pop3CommandDecoderTest {

  /** A session's worth of input: commands, an AUTH with SASL responses, an invalid line, a login with pipelining. */
  private static final String SCRIPT = "CAPA\r\nauth login\r\ndGVzdA==\r\nc2VjcmV0\r\nFOO bar\r\nAUTH\nNOOP\r\n"
      + "USER test@example.com\r\nPASS se cret\r\nLIST\r\nQUIT\r\n";

  private static final List<String> EXPECTED = List.of("CMD CAPA", "CMD AUTH [login]", "SASL [dGVzdA==]",
      "SASL [c2VjcmV0]", "INVALID", "CMD AUTH", "CMD NOOP", "CMD USER [test@example.com]", "CMD PASS [se cret]");

  /** Records requests; like the front end, AUTH LOGIN expects two SASL lines and PASS pauses the decoder. */
  private static final class Harness {
    final List<String> events = new ArrayList<>();
    final StringBuilder forwarded = new StringBuilder();
    final RequestDecoder<Pop3Request> decoder = new RequestDecoder<>(new Pop3CommandParser(128, 16384), 65536);
    final EmbeddedChannel channel;
    int saslLinesWanted;

    Harness() {
      channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof Pop3Request request) {
            events.add(Pop3CommandParserTest.render(request));
            react(request);
          } else {
            ByteBuf bytes = (ByteBuf) msg;
            forwarded.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
          }
        }
      });
    }

    void react(Pop3Request request) {
      if (request instanceof Pop3Request.Command command && command.name().equals("AUTH")
          && !command.args().isEmpty()) {
        saslLinesWanted = 2;
      }
      if (request instanceof Pop3Request.Command command && command.name().equals("PASS")) {
        decoder.pause();
      }
      if (saslLinesWanted > 0 && !(request instanceof Pop3Request.Command command && command.name().equals("AUTH")
          && command.args().isEmpty())) {
        if (request instanceof Pop3Request.SaslResponse) {
          saslLinesWanted--;
        }
        if (saslLinesWanted > 0) {
          decoder.expectSaslResponse();
        }
      }
    }

    void feed(String text) {
      channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** What a login hands to the relay: the decoder is removed and passes on what it still holds. */
    void handOver() {
      channel.pipeline().remove(decoder);
    }
  }

  @Test
  void theWholeInputAtOnceGivesTheRequestsAndKeepsThePipelinedRest() {
    Harness harness = new Harness();
    harness.feed(SCRIPT);
    assertThat(harness.events).isEqualTo(EXPECTED);
    harness.handOver();
    assertThat(harness.forwarded).hasToString("LIST\r\nQUIT\r\n");
    assertThat(harness.channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void byteByByteInputGivesTheSameRequests() {
    Harness harness = new Harness();
    for (char c : SCRIPT.toCharArray()) {
      harness.feed(String.valueOf(c));
    }
    assertThat(harness.events).isEqualTo(EXPECTED);
    harness.handOver();
    assertThat(harness.forwarded).hasToString("LIST\r\nQUIT\r\n");
    harness.channel.finishAndReleaseAll();
  }

  @Test
  void everySplitIntoTwoPiecesGivesTheSameRequests() {
    for (int split = 0; split <= SCRIPT.length(); split++) {
      Harness harness = new Harness();
      harness.feed(SCRIPT.substring(0, split));
      harness.feed(SCRIPT.substring(split));
      assertThat(harness.events).as("split at %d", split).isEqualTo(EXPECTED);
      harness.handOver();
      assertThat(harness.forwarded).as("split at %d", split).hasToString("LIST\r\nQUIT\r\n");
      harness.channel.finishAndReleaseAll();
    }
  }

  @Test
  void aTooLongLineEndsDecodingAndDropsEverythingAfterIt() {
    Harness harness = new Harness();
    harness.feed("NOOP\r\nUSER " + "x".repeat(200) + "\r\nNOOP\r\n");
    assertThat(harness.events).containsExactly("CMD NOOP", "INVALID close");
    harness.feed("NOOP\r\n");
    assertThat(harness.events).hasSize(2);
    assertThat(harness.decoder.bufferedBytes()).isZero();
    harness.channel.finishAndReleaseAll();
  }
}
