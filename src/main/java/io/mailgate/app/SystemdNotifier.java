package io.mailgate.app;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's notification protocol ({@code Type=notify}, sd_notify(3)): each state change is one datagram of
 * newline-separated assignments sent to the unix socket that {@code $NOTIFY_SOCKET} names.
 *
 * <p>Java 17's {@code DatagramChannel} has no unix-domain sockets, so the datagrams go through Netty's epoll
 * transport, on a one-thread event loop of the notifier's own: a notification never waits behind mailgate's event
 * loops (or holds one up), and STOPPING=1 still goes out while they drain. Sending only queues the write; a failure
 * is logged once, never thrown. Outside systemd, or where epoll cannot load, the notifier does nothing.
 */
final class SystemdNotifier implements ServiceNotifier {

  private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
  /** How long close() lets queued notifications go out; they take microseconds unless systemd is wedged. */
  private static final long CLOSE_WAIT_MILLIS = 1000;

  /** Null for a notifier that does nothing. */
  private final EventLoopGroup group;
  private final Channel channel;
  private final DomainSocketAddress target;
  private final AtomicBoolean warned = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private SystemdNotifier(EventLoopGroup group, Channel channel, DomainSocketAddress target) {
    this.group = group;
    this.channel = channel;
    this.target = target;
  }

  /** The notifier for {@code $NOTIFY_SOCKET}; one that does nothing when it is unset. */
  static SystemdNotifier fromEnvironment() {
    return forSocket(System.getenv("NOTIFY_SOCKET"));
  }

  /**
   * A notifier for {@code socket} as systemd writes it in {@code NOTIFY_SOCKET}: a file system path, or {@code @name}
   * for the Linux abstract namespace; null or empty gives one that does nothing.
   */
  static SystemdNotifier forSocket(String socket) {
    if (socket == null || socket.isEmpty()) {
      return disabled();
    }
    if (!socket.startsWith("/") && !socket.startsWith("@")) {
      // systemd 254+ may name an AF_VSOCK address ("vsock:CID:PORT") for virtual machines; not supported.
      LOG.debug("NOTIFY_SOCKET \"{}\" is not a unix socket; systemd is not notified", socket);
      return disabled();
    }
    if (!Epoll.isAvailable()) {
      LOG.warn("NOTIFY_SOCKET is set, but systemd cannot be notified without the native epoll transport ({})",
          String.valueOf(Epoll.unavailabilityCause()));
      return disabled();
    }
    // The abstract namespace's names begin with a NUL byte. Netty passes the path's bytes with their exact length
    // (no terminating NUL added) as long as the datagram is one buffer, which send() makes sure of.
    String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(
        1, new DefaultThreadFactory("mailgate-sd-notify", true), EpollIoHandler.newFactory());
    try {
      Channel channel = new Bootstrap()
          .group(group)
          .channel(EpollDomainDatagramChannel.class)
          // Never bound or connected: each datagram names its recipient, so a restarted systemd (a new socket at
          // the same path) is reached too. Without this option an unbound datagram channel refuses writes.
          .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
          .handler(new ChannelInboundHandlerAdapter())
          .register().syncUninterruptibly().channel();
      return new SystemdNotifier(group, channel, new DomainSocketAddress(path));
    } catch (RuntimeException e) {
      LOG.warn("cannot open a socket to notify systemd at {}: {}", socket, e.toString());
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      return disabled();
    }
  }

  private static SystemdNotifier disabled() {
    return new SystemdNotifier(null, null, null);
  }

  /** Whether notifications are sent at all. */
  boolean enabled() {
    return channel != null;
  }

  /** {@code READY=1}: start-up (or a reload) finished. */
  @Override
  public void ready() {
    send("READY=1");
  }

  /**
   * {@code RELOADING=1} with {@code MONOTONIC_USEC}, which systemd 253+ requires to match the reload to its request.
   * On Linux, HotSpot's {@code System.nanoTime()} reads CLOCK_MONOTONIC, the clock systemd compares with.
   */
  @Override
  public void reloading() {
    send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
  }

  /** {@code STOPPING=1}: a graceful stop has begun. */
  @Override
  public void stopping() {
    send("STOPPING=1");
  }

  /** {@code STATUS=text}, shown by {@code systemctl status}; line breaks become spaces (they separate fields). */
  void status(String text) {
    send("STATUS=" + text.replace('\r', ' ').replace('\n', ' '));
  }

  private void send(String state) {
    if (channel == null || closed.get()) {
      return;
    }
    try {
      byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
      // One direct buffer: Netty sends it with sendto() and the address's exact length (see forSocket).
      ByteBuf data = channel.alloc().directBuffer(bytes.length).writeBytes(bytes);
      // Queued on the notifier's event loop and never waited for; Netty releases the buffer when the write ends.
      channel.writeAndFlush(new DomainDatagramPacket(data, target)).addListener(f -> {
        if (!f.isSuccess()) {
          warnOnce(f.cause());
        }
      });
    } catch (RuntimeException e) {
      warnOnce(e);
    }
  }

  private void warnOnce(Throwable cause) {
    if (cause instanceof ClosedChannelException && closed.get()) {
      return; // a notification that raced with close(): nothing is wrong
    }
    if (warned.compareAndSet(false, true)) {
      LOG.warn("cannot notify systemd at {} (further failures are not logged): {}", printable(), cause.toString());
    }
  }

  private String printable() {
    String path = target.path();
    return path.startsWith("\0") ? "@" + path.substring(1) : path;
  }

  /** Sends what is queued (waiting up to a second), then closes the socket and the event loop. */
  @Override
  public void close() {
    if (channel == null || !closed.compareAndSet(false, true)) {
      return;
    }
    // The close is queued behind the pending writes on the same event loop, so they go out first.
    channel.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    group.shutdownGracefully(0, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
