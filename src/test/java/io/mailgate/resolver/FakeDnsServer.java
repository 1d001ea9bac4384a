package io.mailgate.resolver;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsPtrRecord;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A DNS server on a loopback UDP port for tests, after nginx-tests' {@code dns_daemon}: each question goes to a
 * responder that answers with records, an error code, or silence. Records are made fresh for every answer (the
 * encoder releases them). Every question is recorded as {@code TYPE name} (name lower case, no trailing dot).
 */
public final class FakeDnsServer implements AutoCloseable {

  /** An answer: a response code and answer records, or nothing at all. */
  public static final class Answer {
    private final DnsResponseCode code;
    private final Supplier<List<DnsRecord>> records;
    private final boolean silent;

    private Answer(DnsResponseCode code, Supplier<List<DnsRecord>> records, boolean silent) {
      this.code = code;
      this.records = records;
      this.silent = silent;
    }

    /** NOERROR with these records (made anew for each answer). */
    public static Answer records(Supplier<List<DnsRecord>> records) {
      return new Answer(DnsResponseCode.NOERROR, records, false);
    }

    /** An error code and no records. */
    public static Answer code(DnsResponseCode code) {
      return new Answer(code, List::of, false);
    }

    /** No answer at all: the client times out. */
    public static Answer silence() {
      return new Answer(DnsResponseCode.NOERROR, List::of, true);
    }
  }

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final List<String> questions = new CopyOnWriteArrayList<>();
  private volatile BiFunction<String, DnsRecordType, Answer> responder;

  /** A server answering with {@code responder(name, type)}; the name is lower case without the trailing dot. */
  public FakeDnsServer(BiFunction<String, DnsRecordType, Answer> responder) throws InterruptedException {
    this.responder = responder;
    this.channel = new Bootstrap()
        .group(group)
        .channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<DatagramChannel>() {
          @Override
          protected void initChannel(DatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Responder());
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
  }

  /** Replaces the responder. */
  public void respondWith(BiFunction<String, DnsRecordType, Answer> responder) {
    this.responder = responder;
  }

  /** The server's address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Every question so far, as {@code PTR 1.0.0.127.in-addr.arpa}. */
  public List<String> questions() {
    return new ArrayList<>(questions);
  }

  /** A PTR record. */
  public static DnsRecord ptr(String owner, String target, long ttl) {
    return new DefaultDnsPtrRecord(owner, DnsRecord.CLASS_IN, ttl, target);
  }

  /** A PTR record with empty RDATA, as nginx-tests' port 8983. */
  public static DnsRecord emptyPtr(String owner, long ttl) {
    return new DefaultDnsRawRecord(owner, DnsRecordType.PTR, ttl, Unpooled.EMPTY_BUFFER);
  }

  /** An A or AAAA record for the address text. */
  public static DnsRecord address(String owner, String address, long ttl) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    DnsRecordType type = bytes.length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
    return new DefaultDnsRawRecord(owner, type, ttl, Unpooled.wrappedBuffer(bytes));
  }

  /** A CNAME record. */
  public static DnsRecord cname(String owner, String target, long ttl) {
    return new DefaultDnsRawRecord(owner, DnsRecordType.CNAME, ttl, wireName(target));
  }

  /** A record of any type with raw RDATA. */
  public static DnsRecord raw(String owner, DnsRecordType type, byte[] rdata, long ttl) {
    return new DefaultDnsRawRecord(owner, type, ttl, Unpooled.wrappedBuffer(rdata));
  }

  /** RFC 1035 §3.1 wire form of a name, uncompressed. */
  private static ByteBuf wireName(String name) {
    ByteBuf out = Unpooled.buffer();
    for (String label : name.split("\\.")) {
      if (!label.isEmpty()) {
        byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
        out.writeByte(bytes.length).writeBytes(bytes);
      }
    }
    return out.writeByte(0);
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      String name = question.name().toLowerCase(Locale.ROOT);
      name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
      questions.add(question.type().name() + " " + name);
      Answer answer = responder.apply(name, question.type());
      if (answer.silent) {
        return;
      }
      DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id(),
          DnsOpCode.QUERY, answer.code);
      response.setRecursionAvailable(true);
      response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
      for (DnsRecord record : answer.records.get()) {
        response.addRecord(DnsSection.ANSWER, record);
      }
      ctx.writeAndFlush(response);
    }
  }
}
