package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Stopping a real {@code bin/mailgate}: TERM ({@code -s quit}) drains (waiting clients are told BYE, logins in flight
 * and relayed responses finish, the rest is closed at {@code shutdown_timeout}, exit 0, pid file gone); USR2
 * ({@code -s stop}) stops at once; USR1 ({@code -s reopen}) follows a log file renamed by logrotate.
 */
class GracefulStopIT extends MailgateProcessTestBase {

  private MailgateProcess start(String shutdownTimeout) throws Exception {
    mailgate = MailgateProcess.start(dir, "error_log " + dir.resolve("error.log") + " info;\n"
        + "shutdown_timeout " + shutdownTimeout + ";\n"
        + "events {}\n"
        + "mail {\n"
        + "  auth_http 127.0.0.1:" + auth.port() + "/auth;\n"
        + "  server { listen 127.0.0.1:" + imapPort + "; protocol imap; }\n"
        + "  server { listen 127.0.0.1:" + smtpPort + "; protocol smtp; smtp_auth plain; }\n"
        + "}\n");
    return mailgate;
  }

  @Test
  void quitLetsTheFetchInFlightFinishTellsWaitingClientsAndExitsZero() throws Exception {
    start("30s");
    int size = 20 * 1024 * 1024;
    try (LineClient fetching = loggedIn();
        LineClient waitingImap = new LineClient(imapPort);
        LineClient waitingSmtp = new LineClient(smtpPort)) {
      assertThat(waitingImap.readLine()).isEqualTo("* OK IMAP4 ready");
      assertThat(waitingSmtp.readLine()).startsWith("220 ");
      fetching.send("f1 XBIG " + size);
      // The response has begun; most of its 20 MiB is still to come when the stop begins.
      assertThat(fetching.readLine()).isEqualTo("* XBIG {" + size + "}");
      long stopAt = System.nanoTime();
      MailgateProcess.Result quit = mailgate.control("quit");
      assertThat(quit.exit()).as(quit.output()).isZero();

      assertThat(waitingImap.readLine()).isEqualTo("* BYE Server shutting down");
      assertThat(waitingImap.closedWithin(2000)).isTrue();
      assertThat(waitingSmtp.readLine()).isEqualTo("421 4.3.2 Service shutting down");
      assertThat(waitingSmtp.closedWithin(2000)).isTrue();
      awaitRefused(imapPort);

      String data = fetching.readLine();
      assertThat(data.length()).isEqualTo(size);
      assertThat(fetching.readLine()).isEqualTo("f1 OK XBIG completed");
      assertThat(mailgate.process().isAlive()).as("the relaying session holds the stop").isTrue();
      fetching.send("f2 LOGOUT");
      assertThat(fetching.readLine()).isEqualTo("* BYE fake logging out");

      assertThat(mailgate.awaitExit(20)).isZero();
      long stopMillis = (System.nanoTime() - stopAt) / 1_000_000;
      assertThat(stopMillis).as("ended with its last session, not at shutdown_timeout").isLessThan(20_000);
    }
    assertThat(mailgate.pidFile()).doesNotExist();
    assertThat(mailgate.logLines("error.log")).anyMatch(l -> l.contains("gracefully shutting down"))
        .anyMatch(l -> l.contains("exiting"))
        .noneMatch(l -> l.contains("shutdown_timeout reached"));
  }

  @Test
  void aLoginInFlightWhenTermArrivesFinishesAndRelays() throws Exception {
    auth.respondWith(FakeAuthServer.delayed(1500, request -> FakeAuthServer.ok(backend.port())));
    start("30s");
    try (LineClient c = new LineClient(imapPort)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 LOGIN alice secret");
      awaitAuthRequest();
      mailgate.signal("TERM");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 XBIG 100000");
      assertThat(c.readLine()).isEqualTo("* XBIG {100000}");
      assertThat(c.readLine()).hasSize(100_000);
      assertThat(c.readLine()).isEqualTo("a2 OK XBIG completed");
      c.send("a3 LOGOUT");
      assertThat(c.readLine()).isEqualTo("* BYE fake logging out");
    }
    assertThat(mailgate.awaitExit(20)).isZero();
  }

  @Test
  void sessionsStillRelayingAtShutdownTimeoutAreClosedAndTheExitIsStillZero() throws Exception {
    start("1s");
    try (LineClient idle = loggedIn()) {
      long stopAt = System.nanoTime();
      mailgate.signal("TERM");
      assertThat(idle.closedWithin(8000)).isTrue();
      assertThat(mailgate.awaitExit(10)).isZero();
      long stopMillis = (System.nanoTime() - stopAt) / 1_000_000;
      assertThat(stopMillis).isBetween(900L, 8000L);
    }
    assertThat(mailgate.pidFile()).doesNotExist();
    assertThat(mailgate.logLines("error.log")).anyMatch(l -> l.contains("shutdown_timeout reached, closing 1 sessions"));
  }

  @Test
  void stopClosesEverySessionAtOnce() throws Exception {
    start("60s");
    try (LineClient relaying = loggedIn()) {
      long stopAt = System.nanoTime();
      MailgateProcess.Result stop = mailgate.control("stop");
      assertThat(stop.exit()).as(stop.output()).isZero();
      assertThat(relaying.closedWithin(8000)).isTrue();
      assertThat(mailgate.awaitExit(10)).isZero();
      assertThat((System.nanoTime() - stopAt) / 1_000_000).isLessThan(10_000L);
    }
    assertThat(mailgate.pidFile()).doesNotExist();
  }

  @Test
  void reopenAfterARenameWritesANewLogFile() throws Exception {
    start("1s");
    Path log = dir.resolve("error.log");
    Path rotated = dir.resolve("error.log.1");
    try (LineClient c = new LineClient(imapPort)) {
      c.readLine();
    }
    Files.move(log, rotated);
    MailgateProcess.Result reopen = mailgate.control("reopen");
    assertThat(reopen.exit()).as(reopen.output()).isZero();
    awaitFile(log);
    try (LineClient c = new LineClient(imapPort)) {
      c.readLine();
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (mailgate.logLines("error.log").stream().noneMatch(l -> l.contains("connected to 127.0.0.1:" + imapPort))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(mailgate.logLines("error.log")).anyMatch(l -> l.contains("reopening logs"))
        .anyMatch(l -> l.contains("connected to 127.0.0.1:" + imapPort));
    // The renamed file keeps what was written before, and gets nothing after the reopen.
    assertThat(mailgate.logLines("error.log.1")).anyMatch(l -> l.contains("started"))
        .noneMatch(l -> l.contains("reopening logs"));
  }

  private void awaitAuthRequest() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (auth.requests().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(auth.requests()).isNotEmpty();
  }

  private static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(file).exists();
  }

  private static void awaitRefused(int port) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (LineClient c = new LineClient(port)) {
        Thread.sleep(20);
      } catch (IOException refused) {
        return;
      }
    }
    throw new AssertionError("port " + port + " still accepts connections");
  }
}
