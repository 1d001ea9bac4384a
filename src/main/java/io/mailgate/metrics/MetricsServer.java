package io.mailgate.metrics;

import io.mailgate.config.MetricsListen;
import io.mailgate.log.NginxLevels;
import io.mailgate.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of {@code metrics_listen}: {@code /metrics} and the health checks, on a one-thread event loop of its
 * own, so that a scrape (CPU only, but a few milliseconds for a large registry) never delays a mail session. Its loop
 * is made on first need; the process without {@code metrics_listen} runs no thread and no socket for it. Binding
 * runs on the caller's thread (start-up or reload), never on a loop.
 */
public final class MetricsServer {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  /** An idle HTTP connection (a scraper between scrapes, or a client that sends nothing) is closed after this. */
  static final int IDLE_SECONDS = 60;
  /** Requests are a line and a few headers; anything larger is refused by the aggregator (413). */
  private static final int MAX_REQUEST = 8192;

  private final Transport transport;
  private final ProxyMetrics metrics;
  private final Health health;
  private final int idleSeconds;
  private EventLoopGroup group;
  private Bound current;

  public MetricsServer(Transport transport, ProxyMetrics metrics, Health health) {
    this(transport, metrics, health, IDLE_SECONDS);
  }

  /** A server closing idle connections after {@code idleSeconds} (tests use a short one). */
  MetricsServer(Transport transport, ProxyMetrics metrics, Health health, int idleSeconds) {
    this.transport = transport;
    this.metrics = metrics;
    this.health = health;
    this.idleSeconds = idleSeconds;
  }

  /** A listening socket and the address it was configured as. */
  private record Bound(MetricsListen listen, Channel channel) {}

  /**
   * The step of a reload that binds the new address before the old one closes: {@link #commit} closes the old socket
   * once the rest of the reload succeeded, {@link #abandon} closes the new one when it failed.
   */
  public final class Change {
    private final Bound next;
    private final boolean changes;

    private Change(Bound next, boolean changes) {
      this.next = next;
      this.changes = changes;
    }

    /** The reload succeeded: the new address (or none) is the one served. */
    public void commit() {
      if (!changes) {
        return;
      }
      synchronized (MetricsServer.this) {
        Bound old = current;
        current = next;
        if (old != null) {
          old.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
          LOG.info(NginxLevels.NOTICE, "stopped serving metrics on {}", old.listen.text());
        }
        if (next != null) {
          LOG.info(NginxLevels.NOTICE, "metrics on http://{}/metrics", next.listen.text());
        }
      }
    }

    /** The reload failed: the previous address stays. */
    public void abandon() {
      if (changes && next != null) {
        next.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Prepares serving {@code wanted}: binds it now when it is a new address (the old one stays open until
   * {@link Change#commit}).
   *
   * @throws BindException nginx-style ({@code bind() to 127.0.0.1:9143 failed (...)})
   */
  public synchronized Change prepare(Optional<MetricsListen> wanted) throws BindException {
    if (current != null && wanted.isPresent() && current.listen.address().equals(wanted.get().address())) {
      return new Change(current, false);
    }
    if (current == null && wanted.isEmpty()) {
      return new Change(null, false);
    }
    return new Change(wanted.isPresent() ? bind(wanted.get()) : null, true);
  }

  /** Serves {@code wanted} now (start-up). */
  public synchronized void apply(Optional<MetricsListen> wanted) throws BindException {
    prepare(wanted).commit();
  }

  private Bound bind(MetricsListen listen) throws BindException {
    if (group == null) {
      group = transport.newGroup(1, "mailgate-metrics");
    }
    ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(transport.serverSocketChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS))
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(MAX_REQUEST))
                .addLast(new MetricsHandler(metrics, health));
          }
        });
    ChannelFuture bind = bootstrap.bind(listen.address()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new BindException("bind() to " + listen.text() + " failed (" + bind.cause().getMessage() + ")");
    }
    return new Bound(listen, bind.channel());
  }

  /** The address served now, as configured (tests, logs). */
  public synchronized Optional<String> address() {
    return Optional.ofNullable(current).map(b -> b.listen.text());
  }

  /** The port actually bound (a configured port 0 picks one; tests). */
  public synchronized Optional<Integer> boundPort() {
    return Optional.ofNullable(current)
        .map(b -> ((java.net.InetSocketAddress) b.channel.localAddress()).getPort());
  }

  /** Closes the socket, open connections and the loop. */
  public synchronized void close() {
    if (current != null) {
      current.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      current = null;
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
      group = null;
    }
  }

  /** The address could not be bound. */
  public static final class BindException extends Exception {
    BindException(String message) {
      super(message);
    }
  }
}
