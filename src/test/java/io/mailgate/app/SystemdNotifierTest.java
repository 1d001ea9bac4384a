package io.mailgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailgate.testkit.LogCapture;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SystemdNotifier against a real unix datagram socket standing in for systemd's notify socket. */
class SystemdNotifierTest {

  private static final Pattern RELOADING = Pattern.compile("RELOADING=1\nMONOTONIC_USEC=(\\d+)");

  @TempDir Path dir;
  private EventLoopGroup group;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void epollLoads() {
    assumeTrue(Epoll.isAvailable(), "the native epoll transport is needed for unix datagram sockets");
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  }

  @AfterEach
  void stopGroup() {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void sendsEachStateAsOneDatagram() throws Exception {
    Path socket = dir.resolve("notify");
    Channel systemd = bind(new DomainSocketAddress(socket.toFile()));
    try (SystemdNotifier notifier = SystemdNotifier.forSocket(socket.toString())) {
      assertThat(notifier.enabled()).isTrue();
      notifier.ready();
      long before = System.nanoTime() / 1000;
      notifier.reloading();
      long after = System.nanoTime() / 1000;
      notifier.ready();
      notifier.status("reloaded\r\nat once");
      notifier.stopping();

      assertThat(next()).isEqualTo("READY=1");
      Matcher reloading = RELOADING.matcher(next());
      assertThat(reloading.matches()).as("RELOADING=1 then MONOTONIC_USEC").isTrue();
      assertThat(Long.parseLong(reloading.group(1))).isBetween(before, after);
      assertThat(next()).isEqualTo("READY=1");
      assertThat(next()).isEqualTo("STATUS=reloaded  at once");
      assertThat(next()).isEqualTo("STOPPING=1");
    } finally {
      systemd.close().syncUninterruptibly();
    }
  }

  @Test
  void reachesTheAbstractNamespace() throws Exception {
    String name = "mailgate-test-" + UUID.randomUUID();
    Channel systemd = bind(new DomainSocketAddress("\0" + name));
    try (SystemdNotifier notifier = SystemdNotifier.forSocket("@" + name)) {
      notifier.ready();
      assertThat(next()).isEqualTo("READY=1");
    } finally {
      systemd.close().syncUninterruptibly();
    }
  }

  @Test
  void doesNothingOutsideSystemd() {
    for (String socket : new String[] {null, "", "vsock:2:1234"}) {
      SystemdNotifier notifier = SystemdNotifier.forSocket(socket);
      assertThat(notifier.enabled()).isFalse();
      assertThatCode(() -> {
        notifier.ready();
        notifier.reloading();
        notifier.stopping();
        notifier.status("x");
        notifier.close();
      }).doesNotThrowAnyException();
    }
  }

  @Test
  void aMissingSocketIsWarnedAboutOnceAndNeverThrown() throws Exception {
    Path nowhere = dir.resolve("no-such-socket");
    try (LogCapture logs = LogCapture.onRootAtDebug()) {
      SystemdNotifier notifier = SystemdNotifier.forSocket(nowhere.toString());
      assertThatCode(() -> {
        notifier.ready();
        notifier.stopping();
        notifier.close();
      }).doesNotThrowAnyException();
      assertThat(logs.events().stream().filter(e -> e.contains("cannot notify systemd at " + nowhere)))
          .hasSize(1);
    }
  }

  @Test
  void notificationsAfterCloseAreDropped() throws Exception {
    Path socket = dir.resolve("notify");
    Channel systemd = bind(new DomainSocketAddress(socket.toFile()));
    try {
      SystemdNotifier notifier = SystemdNotifier.forSocket(socket.toString());
      notifier.stopping();
      notifier.close();
      notifier.ready();
      notifier.close();
      assertThat(next()).isEqualTo("STOPPING=1");
      assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    } finally {
      systemd.close().syncUninterruptibly();
    }
  }

  private Channel bind(DomainSocketAddress address) {
    return new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
        .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
            received.add(packet.content().toString(StandardCharsets.UTF_8));
          }
        })
        .bind(address).syncUninterruptibly().channel();
  }

  private String next() throws InterruptedException {
    String datagram = received.poll(5, TimeUnit.SECONDS);
    assertThat(datagram).as("a datagram within 5 s").isNotNull();
    return datagram;
  }
}
