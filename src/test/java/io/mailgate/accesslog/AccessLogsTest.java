package io.mailgate.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.config.AccessLogConfig;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.LogLevel;
import io.mailgate.session.SessionEvents;
import io.mailgate.session.SessionRecord;
import io.mailgate.testkit.AccessLogLines;
import io.mailgate.testkit.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogsTest {

  @TempDir Path dir;
  private AccessLogs logs;

  @AfterEach
  void close() {
    if (logs != null) {
      logs.close();
    }
  }

  private static AccessLogConfig file(Path path, AccessLogConfig.Format format) {
    return new AccessLogConfig(Optional.of(new ErrorLogConfig.FileSink(path, LogLevel.INFO)), format);
  }

  /** Ends one session of {@code user} on {@code log}. */
  private static void session(SessionEvents log, String user) {
    SessionRecord r = new SessionRecord("id-" + user, "imap", "127.0.0.1:1143", new InetSocketAddress("192.0.2.9", 4000),
        log);
    r.closeReason(user);
    r.closed();
  }

  private static List<String> lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void offMakesNoWatcher() throws Exception {
    logs = new AccessLogs();
    assertThat(logs.open(AccessLogConfig.OFF)).isNull();
  }

  @Test
  void aLineIsWrittenPerSessionAndTwoServersShareOneFile() throws Exception {
    logs = new AccessLogs();
    Path a = dir.resolve("logs/access.log");
    AccessLog text = logs.open(file(a, AccessLogConfig.Format.TEXT));
    AccessLog json = logs.open(file(a, AccessLogConfig.Format.JSON));
    session(text, "one");
    session(json, "two");
    await().atMost(Duration.ofSeconds(5)).until(() -> lines(a).size() == 2);
    assertThat(AccessLogLines.text(lines(a).get(0))).containsEntry("session", "id-one")
        .containsEntry("client", "192.0.2.9:4000").containsEntry("close_reason", "one");
    assertThat(AccessLogLines.json(lines(a).get(1))).containsEntry("session", "id-two");
  }

  @Test
  void reopenFollowsARenameAndAReleasedFileStillGetsTheLastLines() throws Exception {
    logs = new AccessLogs();
    Path a = dir.resolve("access.log");
    Path rotated = dir.resolve("access.log.1");
    AccessLog log = logs.open(file(a, AccessLogConfig.Format.TEXT));
    session(log, "before");
    await().atMost(Duration.ofSeconds(5)).until(() -> lines(a).size() == 1);
    Files.move(a, rotated);
    session(log, "renamed");
    await().atMost(Duration.ofSeconds(5)).until(() -> lines(rotated).size() == 2);
    logs.reopen();
    session(log, "after");
    await().atMost(Duration.ofSeconds(5)).until(() -> lines(a).size() == 1);
    assertThat(lines(a).get(0)).contains("\"after\"");
    // The configuration lets go (a reload): a session of it that ends later still gets its line.
    log.release();
    session(log, "straggler");
    await().atMost(Duration.ofSeconds(5)).until(() -> lines(a).size() == 2);
    assertThat(lines(a).get(1)).contains("\"straggler\"");
    assertThat(lines(rotated)).hasSize(2);
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfWaiting() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream slow = new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        try {
          unblock.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        synchronized (written) {
          written.write(b, off, len);
        }
      }
    };
    LogCapture capture = LogCapture.onRootAtDebug();
    logs = new AccessLogs(4, new PrintStream(slow, true, StandardCharsets.UTF_8));
    AccessLog log = logs.open(new AccessLogConfig(Optional.of(new ErrorLogConfig.StderrSink(LogLevel.INFO)),
        AccessLogConfig.Format.TEXT));
    long started = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      session(log, "s" + i);
    }
    // 100 sessions ended against a writer stuck in its first line: none of them waited for it.
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(2));
    // One line in the writer's hands, four queued, the rest dropped.
    assertThat(logs.dropped()).isBetween(95L, 96L);
    unblock.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      synchronized (written) {
        return written.toString(StandardCharsets.UTF_8).lines().count() == 100 - logs.dropped();
      }
    });
    assertThat(written.toString(StandardCharsets.UTF_8)).contains("\"s0\"");
    // Said once in the error log, with the count (the next report waits a minute).
    try (capture) {
      await().atMost(Duration.ofSeconds(5)).until(() -> capture.text().contains(
          "access log: " + logs.dropped() + " lines dropped (queue of 4 full), 0 lines not written"));
    }
  }

  @Test
  void syslogSendsOneRfc3164DatagramPerLineWithTheConfiguredFacilityTagAndSeverity() throws Exception {
    try (java.net.DatagramSocket server = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(5000);
      logs = new AccessLogs();
      ErrorLogConfig.SyslogSink sink = new ErrorLogConfig.SyslogSink(
          new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort()), 2, "mgate", false,
          LogLevel.NOTICE);
      AccessLog log = logs.open(new AccessLogConfig(Optional.of(sink), AccessLogConfig.Format.JSON));
      session(log, "udp\r\nline");
      java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[4096], 4096);
      server.receive(packet);
      String datagram = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
      // mail (2) * 8 + notice (5) = 21; nohostname: the tag follows the time stamp.
      assertThat(datagram).matches("<21>[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} mgate: \\{.*\\}");
      String json = datagram.substring(datagram.indexOf("mgate: ") + "mgate: ".length());
      assertThat(AccessLogLines.json(json)).containsEntry("close_reason", "udp\r\nline");
    }
  }

  @Test
  void aFileThatCannotBeOpenedIsAnError() throws Exception {
    logs = new AccessLogs();
    Files.writeString(dir.resolve("plain"), "x");
    Path impossible = dir.resolve("plain/access.log");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> logs.open(file(impossible, AccessLogConfig.Format.TEXT)))
        .hasMessageContaining("open() \"" + impossible + "\" failed");
  }
}
