package io.mailgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * Opens load-generator connections to one target and fails sessions whose reply is later than the timeout (a
 * watchdog thread, so no session can hang a run). With TLS, see {@link TlsClient}: a full handshake per connection
 * unless resumption is asked for, any certificate trusted (benchmarks only).
 */
public final class Client implements AutoCloseable {

  private final EventLoopGroup group;
  private final InetSocketAddress address;
  private final TlsClient tls;
  private final Set<ClientSession> live = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService watchdog;
  private final long timeoutNanos;
  private final int connectTimeoutMillis;
  /** Local addresses bound in turn (port 0: the kernel picks a port per address); empty: the kernel's choice. */
  private final List<InetAddress> sources;
  private final AtomicInteger nextSource = new AtomicInteger();

  /**
   * Creates the event loops and, with {@code o.tls()}, the TLS client (its version and resumption from {@code o});
   * {@code o.timeout()} is the longest wait for any one reply, the TCP connect included.
   */
  public Client(Options o) throws SSLException {
    this.sources = List.copyOf(o.sources());
    // Resolved once, here on the main thread: the event loops never do a name lookup.
    this.address = o.target().address();
    this.tls = o.tls() ? new TlsClient(o.target(), o.tlsVersion(), o.tlsResume()) : null;
    int threads = o.threads();
    Duration timeout = o.timeout();
    this.group = Net.group(threads, "loadgen");
    this.timeoutNanos = timeout.toNanos();
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadgen-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.scheduleWithFixedDelay(this::expireLate, 200, 200, TimeUnit.MILLISECONDS);
  }

  /** The TLS provider in use ({@code none}, {@code openssl} or {@code jdk}), for result lines. */
  public static String tlsProvider(boolean tls) {
    return !tls ? "none" : TlsClient.provider();
  }

  /** The TLS client, or null without TLS. */
  TlsClient tls() {
    return tls;
  }

  /** Starts {@code session}: connect, then the session logs in on its own. */
  public void connect(ClientSession session) {
    session.starting(System.nanoTime(), live::remove);
    live.add(session);
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(Net.clientChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .option(ChannelOption.RECVBUF_ALLOCATOR, Net.recvAllocator())
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              tls.addTo(ch.pipeline());
            }
            ch.pipeline().addLast(session);
          }
        });
    ChannelFuture connect = sources.isEmpty() ? bootstrap.connect(address)
        : bootstrap.connect(address, new InetSocketAddress(
            sources.get(Math.floorMod(nextSource.getAndIncrement(), sources.size())), 0));
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        session.connectFailed(f.cause());
      }
    });
  }

  /** Runs {@code task} after {@code millis} on one of the client's event loops. */
  public void schedule(Runnable task, long millis) {
    group.schedule(task, millis, TimeUnit.MILLISECONDS);
  }

  /** Sessions started and not yet ended. */
  public int live() {
    return live.size();
  }

  private void expireLate() {
    long now = System.nanoTime();
    for (ClientSession s : live) {
      long since = s.waitingSince();
      if (since != 0 && now - since > timeoutNanos) {
        s.timeout(now - since);
      }
    }
  }

  /** Closes every connection and stops the threads. */
  @Override
  public void close() {
    watchdog.shutdownNow();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
