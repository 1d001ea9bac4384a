package io.mailgate.resolver;

import io.netty.buffer.Unpooled;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The package-private DNS answer reader, opened for the fuzz targets in {@code io.mailgate.fuzz}: a datagram decoded
 * the way {@link ClientNameResolver} receives it (Netty's decoder) and then read. Test code only.
 */
public final class DnsAnswerFuzzAccess {

  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.53", 53);
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 40000);

  /**
   * What the reader made of a message.
   *
   * @param kind {@code records}, {@code alias} or {@code failure}
   * @param values the records (addresses or host names); the alias target; or the failure text
   * @param ttlSeconds the records' TTL, else -1
   */
  public record Summary(String kind, List<String> values, long ttlSeconds) {}

  private DnsAnswerFuzzAccess() {}

  /** Empty when Netty's decoder refuses the datagram (the resolver then never sees it). */
  public static Optional<Summary> read(byte[] datagram, String name, String type) {
    EmbeddedChannel channel = new EmbeddedChannel(new DatagramDnsResponseDecoder());
    try {
      channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(datagram), LOCAL, SERVER));
    } catch (DecoderException e) {
      channel.finishAndReleaseAll();
      return Optional.empty();
    }
    Object decoded = channel.readInbound();
    channel.finishAndReleaseAll();
    if (decoded == null) {
      return Optional.empty();
    }
    try {
      @SuppressWarnings("unchecked")
      DnsResponse response = ((AddressedEnvelope<DnsResponse, InetSocketAddress>) decoded).content();
      return Optional.of(summary(AnswerReader.read(response, name, DnsRecordType.valueOf(type))));
    } finally {
      ReferenceCountUtil.release(decoded);
    }
  }

  private static Summary summary(Reply reply) {
    if (reply instanceof Reply.Records r) {
      return new Summary("records", r.values(), r.ttlSeconds());
    }
    if (reply instanceof Reply.Alias a) {
      return new Summary("alias", List.of(a.target()), -1);
    }
    Reply.Failure f = (Reply.Failure) reply;
    return new Summary("failure", List.of(f.text()), -1);
  }
}
