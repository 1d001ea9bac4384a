package io.mailgate.imap;

import static io.mailgate.imap.ImapCommandParserTest.KNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImapCommandDecoderTest {

  /** What the handler after the decoder does with each request, synchronously inside channelRead. */
  private interface Reaction {
    void react(Harness harness, ImapRequest request);
  }

  private static final Reaction NONE = (harness, request) -> { };

  /** Like the front end: AUTHENTICATE without an initial response, and LOGIN's username, expect a SASL line. */
  private static final Reaction SASL_LIKE_NGINX = (harness, request) -> {
    if (request instanceof ImapRequest.Command && ((ImapRequest.Command) request).name().equals("AUTHENTICATE")) {
      ImapRequest.Command command = (ImapRequest.Command) request;
      String mechanism = command.args().isEmpty() ? "" : new String(command.args().get(0), StandardCharsets.US_ASCII);
      if (command.args().size() == 1 || mechanism.equals("LOGIN")) {
        harness.decoder.expectSaslResponse();
      }
    } else if (request instanceof ImapRequest.SaslResponse && harness.saslLines++ == 0
        && harness.events.contains("CMD 1 AUTHENTICATE [LOGIN]")) {
      harness.decoder.expectSaslResponse();
    }
  };

  private static final Reaction PAUSE_ON_LOGIN = (harness, request) -> {
    if (request instanceof ImapRequest.Command && ((ImapRequest.Command) request).name().equals("LOGIN")) {
      harness.decoder.pause();
    }
  };

  /** Runs the decoder between an outbound and an inbound recorder; every buffer written in must end released. */
  private static final class Harness {
    final List<String> events = new ArrayList<>();
    final StringBuilder forwarded = new StringBuilder();
    final List<ByteBuf> written = new ArrayList<>();
    final ImapCommandDecoder decoder;
    final EmbeddedChannel channel;
    ChannelHandlerContext recorderContext;
    int saslLines;

    Harness(int commandLimit, int saslLineLimit, Reaction reaction) {
      decoder = new ImapCommandDecoder(commandLimit, saslLineLimit, KNOWN);
      ChannelOutboundHandlerAdapter outbound = new ChannelOutboundHandlerAdapter() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
          events.add("OUT " + ImapCommandParserTest.escape(((ByteBuf) msg).toString(StandardCharsets.US_ASCII)));
          ctx.write(msg, promise);
        }
      };
      ChannelInboundHandlerAdapter inbound = new ChannelInboundHandlerAdapter() {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
          recorderContext = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof ImapRequest) {
            events.add(ImapCommandParserTest.render((ImapRequest) msg));
            reaction.react(Harness.this, (ImapRequest) msg);
          } else {
            ByteBuf bytes = (ByteBuf) msg;
            forwarded.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
          }
        }
      };
      channel = new EmbeddedChannel(outbound, decoder, inbound);
    }

    void write(byte[] bytes) {
      ByteBuf buf = Unpooled.copiedBuffer(bytes);
      written.add(buf);
      channel.writeInbound(buf);
    }

    void write(String text) {
      write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void removeDecoder() {
      channel.pipeline().remove(decoder);
    }

    /** Closes the channel and checks that every buffer handed to the decoder was released exactly once. */
    List<String> finish() {
      channel.finishAndReleaseAll();
      for (ByteBuf buf : written) {
        assertThat(buf.refCnt()).as("buffer released").isZero();
      }
      List<String> all = new ArrayList<>(events);
      if (forwarded.length() > 0) {
        all.add("FORWARDED " + ImapCommandParserTest.escape(forwarded.toString()));
      }
      return all;
    }
  }

  /** How a step of a scenario acts on the harness after the input has been written. */
  private interface Then {
    void apply(Harness harness);
  }

  /**
   * Feeds the input whole, byte by byte and split in two at every offset (every 997th for big inputs), asserts that
   * all runs give the same events, and returns them.
   */
  private static List<String> decodeEverywhere(int commandLimit, int saslLineLimit, Reaction reaction, String input,
      Then then) {
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    List<List<byte[]>> fragmentations = new ArrayList<>();
    fragmentations.add(List.of(bytes));
    List<byte[]> single = new ArrayList<>();
    for (byte b : bytes) {
      single.add(new byte[] {b});
    }
    fragmentations.add(single);
    int step = bytes.length > 600 ? 997 : 1;
    for (int i = 1; i < bytes.length; i += step) {
      fragmentations.add(List.of(Arrays.copyOfRange(bytes, 0, i), Arrays.copyOfRange(bytes, i, bytes.length)));
    }
    List<String> first = null;
    for (List<byte[]> pieces : fragmentations) {
      Harness harness = new Harness(commandLimit, saslLineLimit, reaction);
      for (byte[] piece : pieces) {
        harness.write(piece);
      }
      then.apply(harness);
      List<String> events = harness.finish();
      if (first == null) {
        first = events;
      } else {
        assertThat(events).as("fragmentation into %d pieces", pieces.size()).isEqualTo(first);
      }
    }
    return first;
  }

  private static List<String> decodeEverywhere(Reaction reaction, String input) {
    return decodeEverywhere(4096, 16384, reaction, input, harness -> { });
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void mailImapLoginCasesAreDecoded() {
    assertThat(decodeEverywhere(NONE, "a01 LOGIN\r\na02 LOGIN test@example.com bad\r\n"
        + "a03 LOGIN test@example.com secret\r\n"))
        .containsExactly("CMD a01 LOGIN", "CMD a02 LOGIN [test@example.com] [bad]",
            "CMD a03 LOGIN [test@example.com] [secret]");
  }

  @Test
  void mailImapAuthenticateCasesAreDecoded() {
    String plain = b64("\0test@example.com\0secret");
    assertThat(decodeEverywhere(SASL_LIKE_NGINX, "1 AUTHENTICATE\r\n1 AUTHENTICATE PLAIN " + plain + "\r\n"))
        .containsExactly("CMD 1 AUTHENTICATE", "CMD 1 AUTHENTICATE [PLAIN] [" + plain + "]");
  }

  @Test
  void mailImapAuthenticateLoginTakesTwoSaslLines() {
    String user = b64("test@example.com");
    String pass = b64("secret");
    assertThat(decodeEverywhere(SASL_LIKE_NGINX, "1 AUTHENTICATE LOGIN\r\n" + user + "\r\n" + pass + "\r\na2 NOOP\r\n"))
        .containsExactly("CMD 1 AUTHENTICATE [LOGIN]", "SASL [" + user + "]", "SASL [" + pass + "]", "CMD a2 NOOP");
  }

  @Test
  void mailImapCramMd5AndExternalResponsesAreSaslLines() {
    String cram = b64("test@example.com " + "0".repeat(32));
    assertThat(decodeEverywhere(SASL_LIKE_NGINX, "1 AUTHENTICATE CRAM-MD5\r\n" + cram + "\r\n"
        + "1 AUTHENTICATE EXTERNAL " + b64("test@example.com") + "\r\n"))
        .containsExactly("CMD 1 AUTHENTICATE [CRAM-MD5]", "SASL [" + cram + "]",
            "CMD 1 AUTHENTICATE [EXTERNAL] [" + b64("test@example.com") + "]");
  }

  @Test
  void mailImapQuotedStringsAreUnescaped() {
    assertThat(decodeEverywhere(NONE, "a01 LOGIN \"te\\\\\\\"st@example.com\" \"se\\\\\\\"cret\"\r\n"))
        .containsExactly("CMD a01 LOGIN [te\\\"st@example.com] [se\\\"cret]");
  }

  @Test
  void mailImapSynchronizingLiteralsGetAContinuationEach() {
    assertThat(decodeEverywhere(NONE, "a01 LOGIN {18}\r\nte\\\"st@example.com {8}\r\nse\\\"cret\r\n"))
        .containsExactly("OUT + OK\\r\\n", "OUT + OK\\r\\n", "CMD a01 LOGIN [te\\\"st@example.com] [se\\\"cret]");
  }

  @Test
  void mailImapNonSynchronizingLiteralsGetNoContinuation() {
    assertThat(decodeEverywhere(NONE, "a01 LOGIN {18+}\r\nte\\\"st@example.com {8+}\r\nse\\\"cret\r\n"))
        .containsExactly("CMD a01 LOGIN [te\\\"st@example.com] [se\\\"cret]");
  }

  @Test
  void mailImapBackslashInALiteralIsKeptRaw() {
    assertThat(decodeEverywhere(NONE, "a01 LOGIN {18+}\r\nte\\\"st@example.com \"se\\\\\\\"cret\"\r\n"))
        .containsExactly("CMD a01 LOGIN [te\\\"st@example.com] [se\\\"cret]");
  }

  @Test
  void mailImapPipelinedInvalidCommandThenNoop() {
    assertThat(decodeEverywhere(NONE, "a01 INVALID COMMAND WITH ARGUMENTS\r\na02 NOOP\r\n"))
        .containsExactly("INVALID a01", "CMD a02 NOOP");
  }

  @Test
  void mailImapNonSynchronizingLiteralOnAnUnknownCommandIsNotACommand() {
    assertThat(decodeEverywhere(NONE, "a03 FOOBAR {10+}\r\ntest test \r\na04 NOOP\r\n"))
        .containsExactly("INVALID a03", "CMD a04 NOOP");
  }

  @Test
  void mailImapPipelinedLoginAndLogoutAreBothDecodedWhenNotPaused() {
    assertThat(decodeEverywhere(NONE, "a01 LOGIN test@example.com secret\r\na02 LOGOUT\r\n"))
        .containsExactly("CMD a01 LOGIN [test@example.com] [secret]", "CMD a02 LOGOUT");
  }

  @Test
  void mailImapPipelinedLogoutReachesTheNextHandlerUnchangedWhenTheDecoderIsRemovedAfterLogin() {
    assertThat(decodeEverywhere(4096, 16384, PAUSE_ON_LOGIN, "a01 LOGIN test@example.com secret\r\na02 LOGOUT\r\n",
        Harness::removeDecoder))
        .containsExactly("CMD a01 LOGIN [test@example.com] [secret]", "FORWARDED a02 LOGOUT\\r\\n");
  }

  @Test
  void removingTheDecoderFromInsideChannelReadForwardsTheRestAndLaterInput() {
    Reaction removeOnLogin = (harness, request) -> {
      if (request instanceof ImapRequest.Command) {
        harness.removeDecoder();
      }
    };
    assertThat(decodeEverywhere(removeOnLogin, "a01 LOGIN a b\r\na02 NOOP\r\n\0x"))
        .containsExactly("CMD a01 LOGIN [a] [b]", "FORWARDED a02 NOOP\\r\\n\\0x");
  }

  @Test
  void removingTheDecoderForwardsAPartlyParsedLineUnchanged() {
    assertThat(decodeEverywhere(4096, 16384, NONE, "a01 NOOP\r\na02 LOGIN {3}\r\nab", Harness::removeDecoder))
        .containsExactly("CMD a01 NOOP", "OUT + OK\\r\\n", "FORWARDED a02 LOGIN {3}\\r\\nab");
  }

  @Test
  void linesWithoutAValidTagAreInvalidWithoutTag() {
    assertThat(decodeEverywhere(NONE, "\r\nNOOP\r\n a01 NOOP\r\na*1 NOOP\r\n" + "t".repeat(33) + " NOOP\r\n"
        + "t".repeat(32) + " NOOP\r\n"))
        .containsExactly("INVALID -", "INVALID -", "INVALID -", "INVALID -", "INVALID -",
            "CMD " + "t".repeat(32) + " NOOP");
  }

  @Test
  void nulBareCrAndBareLfFollowTheGrammar() {
    assertThat(decodeEverywhere(NONE, "a01 NO\0OP\r\na02 NOOP\rx\r\na03 NOOP\na04 CAPABILITY\r\n"))
        .containsExactly("INVALID a01", "INVALID a02", "CMD a03 NOOP", "CMD a04 CAPABILITY");
  }

  @Test
  void aSynchronizingLiteralOnAnUnknownCommandGetsNoContinuation() {
    assertThat(decodeEverywhere(NONE, "a01 FOO {5}\r\nhello\r\na02 NOOP\r\n"))
        .containsExactly("INVALID a01", "INVALID -", "CMD a02 NOOP");
  }

  @Test
  void literalsOverTheLimitAreRefusedWithoutContinuation() {
    assertThat(decodeEverywhere(64, 64, NONE, "a01 LOGIN {100}\r\na02 NOOP\r\na03 LOGIN {100+}\r\n" + "x".repeat(100),
        harness -> { }))
        .containsExactly("INVALID a01", "CMD a02 NOOP", "INVALID a03 close");
  }

  @Test
  void aTooLongLineIsRefusedAsSoonAsItPassesTheLimitAndNotBuffered() {
    Harness harness = new Harness(64, 64, NONE);
    harness.write("a01 LOGIN ");
    for (int i = 0; i < 100; i++) {
      harness.write("x".repeat(10));
      assertThat(harness.decoder.bufferedBytes()).isLessThanOrEqualTo(64);
      if (i == 4) {
        assertThat(harness.events).isEmpty();
      } else if (i == 5) {
        assertThat(harness.events).containsExactly("INVALID a01 close");
      }
    }
    assertThat(harness.finish()).containsExactly("INVALID a01 close");
  }

  @Test
  void aTooLongLineIsReportedOnTheFirstByteOverTheLimitInEveryFragmentation() {
    String line = "a01 LOGIN " + "x".repeat(54);
    assertThat(decodeEverywhere(64, 64, NONE, line, harness -> { })).isEmpty();
    assertThat(decodeEverywhere(64, 64, NONE, line + "y\r\na02 NOOP\r\n", harness -> { }))
        .containsExactly("INVALID a01 close");
  }

  @Test
  void anAuthenticateLineOfTenKilobytesIsAcceptedWithAFourKilobyteCommandLimit() {
    String token = "A".repeat(10 * 1024);
    assertThat(decodeEverywhere(4096, 16384, NONE, "1 AUTHENTICATE XOAUTH2 " + token + "\r\na2 NOOP\r\n",
        harness -> { }))
        .containsExactly("CMD 1 AUTHENTICATE [XOAUTH2] [" + token + "]", "CMD a2 NOOP");
    assertThat(decodeEverywhere(4096, 16384, NONE, "1 LOGIN " + token + "\r\n", harness -> { }))
        .containsExactly("INVALID 1 close");
  }

  @Test
  void aSaslLineOfSixteenKilobytesIsAcceptedAndSeventeenRefused() {
    String accepted = "B".repeat(16384 - 2);
    assertThat(decodeEverywhere(4096, 16384, SASL_LIKE_NGINX, "1 AUTHENTICATE XOAUTH2\r\n" + accepted + "\r\n",
        harness -> { }))
        .containsExactly("CMD 1 AUTHENTICATE [XOAUTH2]", "SASL [" + accepted + "]");
    assertThat(decodeEverywhere(4096, 16384, SASL_LIKE_NGINX, "1 AUTHENTICATE XOAUTH2\r\n" + "B".repeat(17 * 1024)
        + "\r\na2 NOOP\r\n", harness -> { }))
        .containsExactly("CMD 1 AUTHENTICATE [XOAUTH2]", "INVALID - close");
  }

  @Test
  void afterASaslResponseTheDecoderIsBackInCommandMode() {
    assertThat(decodeEverywhere(SASL_LIKE_NGINX, "1 AUTHENTICATE PLAIN\r\nabc {5}\r\n\r\na2 NOOP\r\n"))
        .containsExactly("CMD 1 AUTHENTICATE [PLAIN]", "SASL [abc] [{5}]", "INVALID -", "CMD a2 NOOP");
  }

  @Test
  void anEmptySaslLineIsOneEmptyArgument() {
    assertThat(decodeEverywhere(SASL_LIKE_NGINX, "1 AUTHENTICATE XOAUTH2\r\n\r\n"))
        .containsExactly("CMD 1 AUTHENTICATE [XOAUTH2]", "SASL []");
  }

  @Test
  void nothingIsEmittedWhilePausedAndResumeDeliversTheRestInOrder() {
    Reaction pauseOnFirst = (harness, request) -> {
      if (harness.events.size() == 1) {
        harness.decoder.pause();
      }
    };
    assertThat(decodeEverywhere(4096, 16384, pauseOnFirst, "a1 NOOP\r\na2 CAPABILITY\r\na3 LOGIN {1}\r\nx\r\n",
        harness -> {
          assertThat(harness.events).containsExactly("CMD a1 NOOP");
          // The caller's own context is fine: the decoder fires from its context.
          harness.decoder.resume(harness.recorderContext);
        }))
        .containsExactly("CMD a1 NOOP", "CMD a2 CAPABILITY", "OUT + OK\\r\\n", "CMD a3 LOGIN [x]");
  }

  @Test
  void aPauseRequestedWhileHandlingARequestStopsTheVeryNextLine() {
    Harness harness = new Harness(4096, 16384, PAUSE_ON_LOGIN);
    harness.write("a1 LOGIN a b\r\na2 NOOP\r\n");
    assertThat(harness.events).containsExactly("CMD a1 LOGIN [a] [b]");
    harness.write("a3 NOOP\r\n");
    assertThat(harness.events).hasSize(1);
    assertThat(harness.decoder.bufferedBytes()).isEqualTo(18);
    harness.decoder.resume(harness.recorderContext);
    assertThat(harness.finish()).containsExactly("CMD a1 LOGIN [a] [b]", "CMD a2 NOOP", "CMD a3 NOOP");
  }

  @Test
  void whilePausedReadingStopsBeyondFourTimesTheLargestLimitAndResumeRestoresIt() {
    Harness harness = new Harness(4096, 16384, PAUSE_ON_LOGIN);
    harness.write("a0 LOGIN a b\r\n");
    String noop = "a1 NOOP\r\n";
    int count = 0;
    while (harness.channel.config().isAutoRead()) {
      harness.write(noop.repeat(100));
      count += 100;
      assertThat(harness.decoder.bufferedBytes()).isLessThanOrEqualTo(4 * 16384 + noop.length() * 100);
    }
    assertThat(harness.decoder.bufferedBytes()).isGreaterThan(4 * 16384);
    assertThat(harness.events).hasSize(1);
    harness.decoder.resume(harness.recorderContext);
    assertThat(harness.channel.config().isAutoRead()).isTrue();
    assertThat(harness.events).hasSize(1 + count).last().isEqualTo("CMD a1 NOOP");
    harness.finish();
  }

  @Test
  void resumeKeepsReadingOffWhenItsOwnRequestsPauseAgainOverTheBound() {
    Harness harness = new Harness(100, 100, PAUSE_ON_LOGIN);
    harness.write("a0 LOGIN a b\r\n" + "a1 LOGIN a b\r\n".repeat(40));
    assertThat(harness.channel.config().isAutoRead()).isFalse();
    harness.decoder.resume(harness.recorderContext);
    assertThat(harness.events).hasSize(2);
    assertThat(harness.channel.config().isAutoRead()).isFalse();
    while (harness.events.size() < 41) {
      harness.decoder.resume(harness.recorderContext);
    }
    assertThat(harness.channel.config().isAutoRead()).isTrue();
    harness.finish();
  }

  @Test
  void discardBufferedDropsWhatWasPipelinedAfterStarttls() {
    Reaction discardOnStarttls = (harness, request) -> {
      if (request instanceof ImapRequest.Command && ((ImapRequest.Command) request).name().equals("STARTTLS")) {
        harness.decoder.discardBuffered();
      }
    };
    Harness harness = new Harness(4096, 16384, discardOnStarttls);
    harness.write("a01 STARTTLS\r\na02 LOGIN user pass\r\na03 LOG");
    assertThat(harness.decoder.bufferedBytes()).isZero();
    harness.write("a04 NOOP\r\n");
    assertThat(harness.finish()).containsExactly("CMD a01 STARTTLS", "CMD a04 NOOP");
  }

  @Test
  void discardBufferedAlsoForgetsAPartialLiteral() {
    Harness harness = new Harness(4096, 16384, NONE);
    harness.write("a01 LOGIN {10}\r\nabc");
    harness.decoder.discardBuffered();
    harness.write("a02 NOOP\r\n");
    assertThat(harness.finish()).containsExactly("OUT + OK\\r\\n", "CMD a02 NOOP");
  }

  @Test
  void closingTheChannelReleasesAPartialLine() {
    Harness harness = new Harness(4096, 16384, NONE);
    harness.write("a01 LOGIN us");
    assertThat(harness.written.get(0).refCnt()).isEqualTo(1);
    harness.channel.close();
    assertThat(harness.written.get(0).refCnt()).isZero();
    assertThat(harness.finish()).isEmpty();
  }

  @Test
  void inputAfterAClosingInvalidIsDropped() {
    Harness harness = new Harness(4096, 16384, NONE);
    harness.write("a01 LOGIN a b c {5+}\r\nhello");
    harness.write("a02 NOOP\r\n");
    assertThat(harness.decoder.bufferedBytes()).isZero();
    assertThat(harness.finish()).containsExactly("INVALID a01 close");
  }

  @Test
  void messagesThatAreNotBytesPassThrough() {
    Harness harness = new Harness(4096, 16384, NONE);
    harness.channel.pipeline().fireChannelRead(new ImapRequest.SaslResponse(List.of("x")));
    assertThat(harness.finish()).containsExactly("SASL [x]");
  }
}
