package io.mailgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.codec.SplitFeed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The PROXY protocol v1/v2 header that opens a {@code proxy_protocol} listener's connections, read as
 * {@link ProxyProtocolReader} reads it: Netty's {@link HAProxyMessageDecoder}, then {@link ProxyHeader#of}.
 */
class ProxyHeaderFuzzTest {

  /**
   * Cut anywhere, the input reads the same as in one piece: a header, or nothing yet, or the decoder's
   * {@link DecoderException}. A header's addresses are ones the session can parse, v2's in canonical form, with ports
   * in range; the bytes after it are passed on unchanged.
   */
  @FuzzTest(maxDuration = "5s")
  void headersReadTheSameCutAnywhere(FuzzedDataProvider data) {
    int[] points = SplitFeed.splitPoints(data);
    byte[] input = data.consumeBytes(SplitFeed.MAX_INPUT);

    Reading whole = read(input, new int[0]);
    Reading pieces = read(input, points);

    assertThat(pieces).isEqualTo(whole);
    if (whole.header.isPresent()) {
      ProxyHeader header = whole.header.get();
      checkAddress(header.sourceAddress(), whole.binary);
      checkAddress(header.destinationAddress(), whole.binary);
      assertThat(header.sourcePort()).isBetween(0, 65535);
      assertThat(header.destinationPort()).isBetween(0, 65535);
    }
    if (whole.headerRead) {
      byte[] rest = whole.rest;
      assertThat(rest.length).isLessThanOrEqualTo(input.length);
      assertThat(Arrays.copyOfRange(input, input.length - rest.length, input.length)).isEqualTo(rest);
    } else {
      assertThat(whole.rest).isEmpty();
    }
  }

  private static void checkAddress(String address, boolean binary) {
    byte[] parsed = NetUtil.createByteArrayFromIpAddressString(address);
    assertThat(parsed).as(address).isNotNull();
    if (binary) {
      assertThat(address).isEqualTo(NetUtil.toAddressString(NetUtil.createInetAddressFromIpAddressString(address)));
    }
  }

  /**
   * What the decoder made of the input: whether a header came, its addresses (empty for UNKNOWN, LOCAL, UDP, unix),
   * whether it was v2, what followed it, and whether the decoder refused the input.
   */
  private record Reading(boolean headerRead, Optional<ProxyHeader> header, boolean binary, byte[] rest,
      boolean failed) {

    @Override
    public boolean equals(Object other) {
      return other instanceof Reading that && headerRead == that.headerRead && header.equals(that.header)
          && binary == that.binary && Arrays.equals(rest, that.rest) && failed == that.failed;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(rest);
    }
  }

  private static Reading read(byte[] input, int[] points) {
    ClosingOnFailure reader = new ClosingOnFailure();
    EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder(), reader);
    List<Object> out = new ArrayList<>();
    for (byte[] piece : SplitFeed.pieces(input, points)) {
      if (!channel.isOpen()) {
        break;
      }
      channel.writeInbound(Unpooled.wrappedBuffer(piece));
      drain(channel, out);
    }
    channel.finish();
    drain(channel, out);
    boolean failed = reader.failed;
    boolean headerRead = false;
    Optional<ProxyHeader> header = Optional.empty();
    boolean binary = false;
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    for (Object message : out) {
      if (message instanceof HAProxyMessage decoded) {
        try {
          assertThat(headerRead).as("a second header").isFalse();
          headerRead = true;
          header = ProxyHeader.of(decoded);
          binary = decoded.protocolVersion() == HAProxyProtocolVersion.V2;
        } finally {
          decoded.release();
        }
      } else {
        ByteBuf bytes = (ByteBuf) message;
        try {
          assertThat(headerRead).as("bytes before the header").isTrue();
          rest.writeBytes(ByteBufUtil.getBytes(bytes));
        } finally {
          bytes.release();
        }
      }
    }
    return new Reading(headerRead, header, binary, rest.toByteArray(), failed);
  }

  /**
   * What {@link ProxyProtocolReader} does with the decoder's output: a failure closes the session, and whatever the
   * decoder still makes of the bytes it holds as the input closes (Netty decodes them once more) is dropped. So a valid
   * header behind a broken line never counts, whether or not it came in the same read.
   */
  private static final class ClosingOnFailure extends ChannelInboundHandlerAdapter {
    boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) {
        ReferenceCountUtil.release(msg);
      } else {
        ctx.fireChannelRead(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      assertThat(cause).isInstanceOf(DecoderException.class);
      failed = true;
      ctx.close();
    }
  }

  private static void drain(EmbeddedChannel channel, List<Object> out) {
    for (Object message; (message = channel.readInbound()) != null; ) {
      out.add(message);
    }
  }
}
