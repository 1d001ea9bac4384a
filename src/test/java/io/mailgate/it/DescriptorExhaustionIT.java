package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProcessProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Descriptor exhaustion (issue 15): a real {@code bin/mailgate} whose {@code RLIMIT_NOFILE} the test lowers with
 * prlimit(1) to what it holds plus a few, then spends. At the limit an accept fails (EMFILE): mailgate logs it once,
 * nginx's way, pauses accepting instead of retrying in a busy loop, and serves the connections waiting in the backlog
 * once sessions close; logged-in sessions go on relaying. A login whose auth request or backend connection finds no
 * descriptor gets nginx's internal server error at once (not a hang), and its connection slot comes back.
 */
class DescriptorExhaustionIT extends MailgateProcessTestBase {

  private static final String EMFILE = "(24: Too many open files)";

  private ProcessProbe probe;

  private void start(int workerConnections) throws Exception {
    mailgate = MailgateProcess.start(dir, "error_log " + dir.resolve("error.log") + " info;\n"
        + "events { worker_connections " + workerConnections + "; }\n"
        + "mail {\n"
        + "  auth_http 127.0.0.1:" + auth.port() + "/auth;\n"
        + "  server { listen 127.0.0.1:" + imapPort + "; protocol imap; }\n"
        + "}\n", Map.of("MAILGATE_JAVA_OPTS", "-Dio.netty.leakDetection.level=paranoid"));
    probe = new ProcessProbe(mailgate.process().pid());
  }

  /** Leaves mailgate {@code spare} descriptors beyond those it holds now. */
  private void leaveSpare(int spare) throws Exception {
    probe.limitDescriptors(probe.openDescriptors() + spare);
  }

  private LineClient greeted() throws Exception {
    LineClient c = new LineClient(imapPort);
    assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
    return c;
  }

  @Test
  void atTheLimitAcceptPausesWithOneLogLineNoBusyLoopAndTheBacklogIsServedOnceSessionsClose() throws Exception {
    start(512);
    List<LineClient> fillers = new ArrayList<>();
    List<LineClient> waiting = new ArrayList<>();
    try (LineClient relaying = loggedIn()) {
      leaveSpare(3);
      for (int i = 0; i < 3; i++) {
        fillers.add(greeted());
      }
      // The kernel completes these connections into the listen backlog; mailgate cannot accept them.
      for (int i = 0; i < 2; i++) {
        LineClient c = new LineClient(imapPort);
        waiting.add(c);
        assertThat(c.hasInputWithin(1000)).as("a connection past the limit is not served").isFalse();
      }
      double cpu = probe.cpuShareOver(2000);
      System.out.printf("mailgate's CPU at the descriptor limit over 2 s: %.1f%% of a core%n", cpu * 100);
      assertThat(cpu).as("share of a core while accept fails (a busy loop would take ~100%)").isLessThan(0.05);

      relaying.send("r1 XBIG 1000000");
      assertThat(relaying.readLine()).isEqualTo("* XBIG {1000000}");
      assertThat(relaying.readLine()).hasSize(1_000_000);
      assertThat(relaying.readLine()).isEqualTo("r1 OK XBIG completed");

      List<String> log = mailgate.logLines("error.log");
      assertThat(log).as("one line, though accept was retried every 500 ms")
          .filteredOn(l -> l.contains("accept4() failed")).singleElement().satisfies(l -> assertThat(l)
              .contains("[crit]", "accept4() failed " + EMFILE + " on 127.0.0.1:" + imapPort));

      // Descriptors come back as sessions end: the waiting connections are served from the backlog.
      for (LineClient c : fillers) {
        c.close();
      }
      relaying.send("r2 LOGOUT");
      assertThat(relaying.readLines(2)).containsExactly("* BYE fake logging out", "r2 OK LOGOUT completed");
    } finally {
      for (LineClient c : fillers) {
        c.close();
      }
    }
    try {
      int n = 0;
      for (LineClient c : waiting) {
        c.timeout(3000);
        assertThat(c.readLine()).as("greeting from the backlog").isEqualTo("* OK IMAP4 ready");
        c.send("w" + n + " LOGIN alice secret");
        assertThat(c.readLine()).isEqualTo("w" + n + " OK LOGIN completed");
        n++;
      }
      for (LineClient c : waiting) {
        c.close();
      }
      try (LineClient next = loggedIn()) {
        next.send("n1 NOOP");
        assertThat(next.readLine()).isEqualTo("n1 OK NOOP completed");
      }
    } finally {
      for (LineClient c : waiting) {
        c.close();
      }
    }
    assertNoUnexpectedLines();
  }

  @Test
  void aLoginWhoseAuthRequestFindsNoDescriptorGetsTheInternalErrorAndItsSlotBack() throws Exception {
    // Fewer worker_connections than failed logins below: a slot not given back would refuse the last ones.
    int failures = 6;
    start(4);
    try (LineClient idle = greeted()) {
      for (int i = 0; i < failures; i++) {
        leaveSpare(1);
        try (LineClient c = greeted()) {
          leaveSpare(0);
          long start = System.nanoTime();
          c.send("a1 LOGIN alice secret");
          assertThat(c.readLine()).isEqualTo("* BAD internal server error");
          assertThat(c.closedWithin(2000)).isTrue();
          assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the answer").isLessThan(2000);
        }
      }
      assertThat(auth.requests()).isEmpty();
      assertThat(mailgate.logLines("error.log")).filteredOn(l -> l.contains("socket() failed"))
          .hasSize(failures).allSatisfy(l -> assertThat(l).contains("[error]",
              "auth http server 127.0.0.1:" + auth.port() + " socket() failed " + EMFILE
                  + " while in http auth state", "login: \"alice\""));
    }
    // The idle client and the failed ones are gone: a login needs its client, then the auth connection, then the
    // backend connection (the auth one closed by then).
    leaveSpare(2);
    try (LineClient c = loggedIn()) {
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
    }
    assertNoUnexpectedLines();
  }

  @Test
  void aBackendConnectThatFindsNoDescriptorFailsThatLoginAtOnceAndOthersRelay() throws Exception {
    // Keep-alive answers: the auth connection stays pooled, so the login's only new descriptor is the backend's.
    auth.respondWith(r -> FakeAuthServer.ok(backend.port(), "Connection: keep-alive", "Content-Length: 0"));
    start(512);
    try (LineClient relaying = loggedIn(); LineClient idle = greeted()) {
      LineClient c = greeted();
      leaveSpare(0);
      long start = System.nanoTime();
      c.send("a1 LOGIN bob secret");
      assertThat(c.readLine()).isEqualTo("* BAD internal server error");
      assertThat(c.closedWithin(2000)).isTrue();
      c.close();
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the answer").isLessThan(2000);
      assertThat(auth.requests()).hasSize(2);
      assertThat(mailgate.logLines("error.log")).filteredOn(l -> l.contains("socket() failed")).singleElement()
          .satisfies(l -> assertThat(l).contains("[error]", "socket() failed " + EMFILE, "login: \"bob\""));

      relaying.send("r1 NOOP");
      assertThat(relaying.readLine()).isEqualTo("r1 OK NOOP completed");
      // The failed client's descriptor is free again: the idle client logs in.
      idle.send("i1 LOGIN carol secret");
      assertThat(idle.readLine()).isEqualTo("i1 OK LOGIN completed");
    }
    assertNoUnexpectedLines();
  }

  /** Nothing went wrong beyond the descriptor limit: no warning, stack trace or Netty complaint in the log. */
  private void assertNoUnexpectedLines() throws Exception {
    assertThat(mailgate.logLines("error.log")).as("error log").noneMatch(l -> l.contains("[warn]"))
        .noneMatch(l -> l.contains("[alert]") || l.contains("[emerg]"))
        .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("LEAK"));
    assertThat(mailgate.process().isAlive()).isTrue();
  }
}
