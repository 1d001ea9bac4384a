package io.mailgate.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A fast fake IMAP, POP3 and SMTP backend for the benchmarks: native epoll, one prebuilt message, no storage, any
 * login accepted, so that the proxy in front of it is what gets measured.
 *
 * <pre>
 * java -cp mailgate-bench.jar io.mailgate.bench.FakeBackend --imap 127.0.0.1:19143 [--pop3 127.0.0.1:19110]
 *     [--smtp 127.0.0.1:19025] [--literal-plus on|off] [--message-size 1048576] [--threads 1] [--exit-after 1h]
 * </pre>
 * Prints one JSON line with the bound addresses once listening, then serves until killed (or {@code --exit-after}).
 */
public final class FakeBackend implements AutoCloseable {

  private final EventLoopGroup group;
  private final List<Channel> listeners = new ArrayList<>();
  private final ByteBuf message;

  private FakeBackend(EventLoopGroup group, ByteBuf message) {
    this.group = group;
    this.message = message;
  }

  /**
   * Starts the listeners that are non-null (port 0 picks a free port).
   *
   * @param threads event-loop threads
   */
  public static FakeBackend start(HostPort imap, HostPort pop3, HostPort smtp, boolean literalPlus, int messageSize,
      int threads) throws InterruptedException {
    ByteBuf message = MessageBody.directBuffer(messageSize);
    BackendSettings settings = new BackendSettings(literalPlus, message, messageSize, "backend.example.com");
    FakeBackend backend = new FakeBackend(Net.group(threads, "fake-backend"), message);
    try {
      backend.listen(imap, s -> new ImapServerHandler(s), settings);
      backend.listen(pop3, s -> new Pop3ServerHandler(s), settings);
      backend.listen(smtp, s -> new SmtpServerHandler(s), settings);
    } catch (InterruptedException | RuntimeException e) {
      backend.close();
      throw e;
    }
    return backend;
  }

  private void listen(HostPort at, Function<BackendSettings, ChannelHandler> handler, BackendSettings settings)
      throws InterruptedException {
    if (at == null) {
      listeners.add(null);
      return;
    }
    Channel channel = new ServerBootstrap()
        .group(group)
        .channel(Net.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 16384)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.RECVBUF_ALLOCATOR, Net.recvAllocator())
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(handler.apply(settings));
          }
        })
        .bind(at.address()).sync().channel();
    listeners.add(channel);
  }

  /** The bound IMAP port (-1 if not listening). */
  public int imapPort() {
    return port(0);
  }

  /** The bound POP3 port (-1 if not listening). */
  public int pop3Port() {
    return port(1);
  }

  /** The bound SMTP port (-1 if not listening). */
  public int smtpPort() {
    return port(2);
  }

  private int port(int i) {
    Channel c = listeners.size() > i ? listeners.get(i) : null;
    return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
  }

  /** Stops listening, closes every connection and frees the message. */
  @Override
  public void close() {
    for (Channel c : listeners) {
      if (c != null) {
        c.close().syncUninterruptibly();
      }
    }
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    if (message.refCnt() > 0) {
      message.release();
    }
  }

  /** Command-line entry point; see the class comment. */
  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv);
    HostPort imap = args.hostPort("imap");
    HostPort pop3 = args.hostPort("pop3");
    HostPort smtp = args.hostPort("smtp");
    boolean literalPlus = args.bool("literal-plus", true);
    int size = Math.toIntExact(args.size("message-size", 1024 * 1024));
    int threads = args.integer("threads", 1);
    Duration exitAfter = args.duration("exit-after", Duration.ZERO);
    args.rejectUnknown();
    if (imap == null && pop3 == null && smtp == null) {
      System.err.println("usage: FakeBackend --imap host:port [--pop3 host:port] [--smtp host:port] "
          + "[--literal-plus on|off] [--message-size 1048576] [--threads 1] [--exit-after 1h]");
      System.exit(2);
    }
    FakeBackend backend = start(imap, pop3, smtp, literalPlus, size, threads);
    Runtime.getRuntime().addShutdownHook(new Thread(backend::close));
    System.out.println(new Json().put("event", "listening").put("tool", "fake-backend")
        .put("imap", backend.imapPort()).put("pop3", backend.pop3Port()).put("smtp", backend.smtpPort())
        .put("literal_plus", literalPlus).put("message_size", size).put("transport", Net.name()));
    System.out.flush();
    if (exitAfter.isZero()) {
      Thread.currentThread().join();
    } else {
      Thread.sleep(exitAfter.toMillis());
      System.exit(0);
    }
  }
}
