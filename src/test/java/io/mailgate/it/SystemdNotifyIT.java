package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProxyUnderTest;
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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mailgate} under a stand-in for systemd's notify socket ({@code Type=notify}): READY=1 once listening,
 * RELOADING=1 and READY=1 around a reload, STOPPING=1 when TERM starts the drain.
 */
class SystemdNotifyIT {

  @TempDir Path dir;

  @Test
  void tellsSystemdWhenReadyReloadingAndStopping() throws Exception {
    assumeTrue(Epoll.isAvailable(), "unix datagram sockets need the native epoll transport");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    Path socket = dir.resolve("notify");
    Channel systemd = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
        .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
            received.add(packet.content().toString(StandardCharsets.UTF_8));
          }
        })
        .bind(new DomainSocketAddress(socket.toFile())).syncUninterruptibly().channel();
    int port = ProxyUnderTest.freePort();
    try (MailgateProcess mailgate = MailgateProcess.start(dir, "error_log " + dir.resolve("error.log") + " info;\n"
        + "events {}\nmail { auth_http 127.0.0.1:9; server { listen 127.0.0.1:" + port + "; protocol imap; } }\n",
        Map.of("NOTIFY_SOCKET", socket.toString()))) {
      assertThat(next(received)).isEqualTo("READY=1");
      assertThat(mailgate.control("reload").exit()).isZero();
      assertThat(next(received)).startsWith("RELOADING=1\nMONOTONIC_USEC=");
      assertThat(next(received)).isEqualTo("READY=1");
      mailgate.signal("TERM");
      assertThat(next(received)).isEqualTo("STOPPING=1");
      int exit = mailgate.awaitExit(20);
      // What mailgate printed says why, should it ever end otherwise than cleanly.
      assertThat(exit).as("exit status; mailgate printed: %s; error.log: %s", mailgate.output(),
          mailgate.logLines("error.log")).isZero();
    } finally {
      systemd.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static String next(BlockingQueue<String> received) throws InterruptedException {
    String datagram = received.poll(10, TimeUnit.SECONDS);
    assertThat(datagram).as("a datagram within 10 s").isNotNull();
    return datagram;
  }
}
