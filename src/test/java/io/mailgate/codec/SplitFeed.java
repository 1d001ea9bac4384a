package io.mailgate.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
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
import java.util.List;
import java.util.function.Predicate;

/**
 * The fragmentation property of the line protocols' fuzz targets: a {@link RequestParser} fed a whole input byte by
 * byte, and a {@link RequestDecoder} around a fresh parser fed the same input cut into pieces in an
 * {@link EmbeddedChannel}, must produce the same events (requests and {@code +} continuations, in order).
 *
 * <p>Both sides switch to SASL lines the same way: after each request for which {@code saslNext} says so, as the
 * protocol handlers do after {@code AUTHENTICATE}/{@code AUTH} and after a SASL response.
 */
public final class SplitFeed {

  /** Longest input a fuzz target parses; a longer one is cut, so a run never grows without bound. */
  public static final int MAX_INPUT = 1 << 16;
  /** Line limits that let any re-encoded command of an input of {@link #MAX_INPUT} bytes through. */
  public static final int UNLIMITED = 1 << 20;
  private static final int MAX_SPLITS = 16;

  private SplitFeed() {}

  /**
   * Where to cut an input, taken from the fuzzer's data before the input itself (Jazzer takes integers from the end
   * of the data, bytes from the front): up to 16 offsets, each clamped to the input later.
   */
  public static int[] splitPoints(FuzzedDataProvider data) {
    int[] points = new int[data.consumeInt(0, MAX_SPLITS)];
    for (int i = 0; i < points.length; i++) {
      points[i] = data.consumeInt(0, MAX_INPUT);
    }
    return points;
  }

  /**
   * One case of a line protocol's command-parser target: a command-line limit and a SASL-line limit (each picked from
   * the target's list; small ones reach the too-long paths), where to cut the input, and the input.
   */
  public record CommandInput(int commandLimit, int saslLimit, int[] points, byte[] input) {

    /** Taken from the fuzzer's data in this order (the seed corpora were made for it): limits, cuts, input. */
    public static CommandInput consume(FuzzedDataProvider data, int[] commandLimits, int[] saslLimits) {
      int commandLimit = commandLimits[data.consumeInt(0, commandLimits.length - 1)];
      int saslLimit = saslLimits[data.consumeInt(0, saslLimits.length - 1)];
      int[] points = splitPoints(data);
      return new CommandInput(commandLimit, saslLimit, points, data.consumeBytes(MAX_INPUT));
    }

    /** The longer limit, which an AUTH/AUTHENTICATE line with its initial response may use. */
    public int longest() {
      return Math.max(commandLimit, saslLimit);
    }
  }

  /**
   * The fragmentation property for a command parser: {@code parser} fed the input whole and {@code decoder} (around a
   * fresh parser with the same limits) fed it cut at the case's points give the same events; returns them.
   */
  public static <R> List<Object> sameWholeAndInPieces(CommandInput in, RequestParser<R> parser,
      RequestDecoder<R> decoder, Class<R> requestType, Predicate<? super R> saslNext) {
    List<Object> whole = fedWhole(parser, in.input(), saslNext);
    List<Object> pieces = fedInPieces(decoder, in.input(), in.points(), requestType, saslNext);
    if (!pieces.equals(whole)) {
      throw new AssertionError("fed in pieces at " + Arrays.toString(in.points()) + ": " + pieces
          + "\nfed whole: " + whole);
    }
    return whole;
  }

  /** The events of {@code parser} fed {@code input} in one piece, byte by byte. */
  public static <R> List<Object> fedWhole(RequestParser<R> parser, byte[] input, Predicate<? super R> saslNext) {
    List<Object> events = new ArrayList<>();
    for (byte b : input) {
      RequestParser.Step step = parser.accept(b);
      if (step == RequestParser.Step.CONTINUE) {
        events.add(new String(parser.continuation(), StandardCharsets.ISO_8859_1));
      } else if (step == RequestParser.Step.REQUEST) {
        R request = parser.takeRequest();
        events.add(request);
        if (saslNext.test(request)) {
          parser.expectSaslResponse();
        }
      }
    }
    return events;
  }

  /**
   * The events of {@code decoder} fed {@code input} cut at {@code points} (clamped to the input, in any order), in an
   * {@link EmbeddedChannel} that is closed and emptied afterwards, so every buffer is released.
   */
  public static <R> List<Object> fedInPieces(RequestDecoder<R> decoder, byte[] input, int[] points,
      Class<R> requestType, Predicate<? super R> saslNext) {
    List<Object> events = new ArrayList<>();
    EmbeddedChannel channel = new EmbeddedChannel(new ContinuationTap(events), decoder,
        new RequestSink<>(decoder, requestType, saslNext, events));
    try {
      for (byte[] piece : pieces(input, points)) {
        channel.writeInbound(Unpooled.wrappedBuffer(piece));
      }
      channel.checkException();
    } finally {
      channel.finishAndReleaseAll();
    }
    return events;
  }

  /** {@code input} cut at {@code points} (clamped to the input, in any order); some pieces may be empty. */
  public static List<byte[]> pieces(byte[] input, int[] points) {
    int[] cuts = Arrays.stream(points).map(point -> Math.min(point, input.length)).sorted().toArray();
    List<byte[]> pieces = new ArrayList<>(cuts.length + 1);
    int from = 0;
    for (int cut : cuts) {
      pieces.add(Arrays.copyOfRange(input, from, cut));
      from = cut;
    }
    pieces.add(Arrays.copyOfRange(input, from, input.length));
    return pieces;
  }

  /** Records the continuations the decoder writes, in order with the requests. */
  private static final class ContinuationTap extends ChannelOutboundHandlerAdapter {
    private final List<Object> events;

    ContinuationTap(List<Object> events) {
      this.events = events;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ByteBuf bytes = (ByteBuf) msg;
      try {
        events.add(bytes.toString(StandardCharsets.ISO_8859_1));
      } finally {
        bytes.release();
      }
      promise.setSuccess();
    }
  }

  /** Records the requests and switches the decoder to SASL lines where the protocol handler would. */
  private static final class RequestSink<R> extends ChannelInboundHandlerAdapter {
    private final RequestDecoder<R> decoder;
    private final Class<R> requestType;
    private final Predicate<? super R> saslNext;
    private final List<Object> events;

    RequestSink(RequestDecoder<R> decoder, Class<R> requestType, Predicate<? super R> saslNext, List<Object> events) {
      this.decoder = decoder;
      this.requestType = requestType;
      this.saslNext = saslNext;
      this.events = events;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!requestType.isInstance(msg)) {
        throw new AssertionError("the decoder passed on something else than a request: " + msg);
      }
      R request = requestType.cast(msg);
      events.add(request);
      if (saslNext.test(request)) {
        decoder.expectSaslResponse();
      }
    }
  }
}
