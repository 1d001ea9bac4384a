package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProxyUnderTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Direct-memory exhaustion (issue 15): a real {@code bin/mailgate} with {@code -XX:MaxDirectMemorySize=16m} (through
 * {@code MAILGATE_JAVA_OPTS}) and logged-in clients that ask the backend for 8 MB each and do not read: each holds
 * up to the relay's write buffer, until an allocation fails. The session whose buffer could not be had ends alone
 * with one line; new connections are refused for a second (closed, counted, one line); the process, its event loop
 * and a session open before the flood carry on; once the stalled clients leave, everything works again.
 */
class DirectMemoryExhaustionIT extends MailgateProcessTestBase {

  private static final int MAX_STALLED = 200;

  private int metricsPort;

  private void start() throws Exception {
    metricsPort = ProxyUnderTest.freePort();
    mailgate = MailgateProcess.start(dir, "error_log " + dir.resolve("error.log") + " info;\n"
        + "metrics_listen 127.0.0.1:" + metricsPort + ";\n"
        + "events { worker_connections 2048; }\n"
        + "mail {\n"
        + "  auth_http 127.0.0.1:" + auth.port() + "/auth;\n"
        + "  server { listen 127.0.0.1:" + imapPort + "; protocol imap; proxy_timeout 60s; }\n"
        + "}\n", Map.of("MAILGATE_JAVA_OPTS",
            // Paranoid leak detection (overriding the launcher's sampling): the failure paths must release too.
            "-XX:MaxDirectMemorySize=16m -Dio.netty.leakDetection.level=paranoid"));
  }

  @Test
  void aSessionWithoutMemoryEndsAloneNewConnectionsAreRefusedBrieflyAndAllRecovers() throws Exception {
    start();
    List<LineClient> stalled = new ArrayList<>();
    try (LineClient steady = loggedIn()) {
      boolean refusedSeen = false;
      long usedAtTen = 0;
      while (stalled.size() < MAX_STALLED && !refusedSeen) {
        LineClient c = new LineClient(imapPort);
        stalled.add(c);
        String greeting = c.readLine();
        if (greeting == null) {
          // Refused at once: a session's allocation failed within the last second.
          refusedSeen = true;
          break;
        }
        c.send("a1 LOGIN alice secret");
        assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
        c.send("b1 XBIG 8000000");
        Thread.sleep(50);
        if (stalled.size() == 10) {
          Thread.sleep(500);
          usedAtTen = directMemoryUsed();
        }
        if (outOfMemoryLines().isEmpty()) {
          continue;
        }
        // Within the second after a failed allocation: a new connection is closed without a greeting.
        try (LineClient probe = new LineClient(imapPort)) {
          refusedSeen = probe.endsWithin(1000);
        }
      }
      System.out.printf("direct memory reserved with 10 stalled sessions: %d KB (%d KB each); sessions opened"
          + " until an allocation failed: %d%n", usedAtTen / 1024, usedAtTen / 10240, stalled.size());
      assertThat(outOfMemoryLines()).as("sessions that lost a buffer, one line each").isNotEmpty()
          .allSatisfy(l -> assertThat(l).contains("[info]", "out of direct memory while proxying",
              "failed to allocate", "max: 16777216"));
      assertThat(refusedSeen).as("a connection in the second after a failure is refused").isTrue();
      assertThat(mailgate.logLines("error.log")).filteredOn(l -> l.contains("connection refused"))
          .allSatisfy(l -> assertThat(l).contains("[alert]", "direct memory exhausted", "connection refused on"))
          .isNotEmpty();
      assertThat(metrics()).anyMatch(l -> l.matches("mailgate_connections_refused_total\\{limit=\"direct_memory\"} [1-9].*"));

      // The session opened before the flood, idle during it, relays on (the failed sessions' memory came back).
      steady.send("s1 NOOP");
      assertThat(steady.readLine()).isEqualTo("s1 OK NOOP completed");
      steady.send("s2 XBIG 10000");
      assertThat(steady.readLine()).isEqualTo("* XBIG {10000}");
      assertThat(steady.readLine()).hasSize(10_000);
      assertThat(steady.readLine()).isEqualTo("s2 OK XBIG completed");
    } finally {
      for (LineClient c : stalled) {
        c.close();
      }
    }
    assertThat(mailgate.process().isAlive()).isTrue();
    // Memory back (the stalled sessions gone) and a second without failures: a new client gets all 4 MB.
    Thread.sleep(1500);
    try (LineClient next = loggedIn()) {
      next.send("n1 XBIG 4000000");
      assertThat(next.readLine()).isEqualTo("* XBIG {4000000}");
      assertThat(next.readLine()).hasSize(4_000_000);
      assertThat(next.readLine()).isEqualTo("n1 OK XBIG completed");
    }
    assertThat(mailgate.logLines("error.log")).as("error log").noneMatch(l -> l.contains("[warn]"))
        .noneMatch(l -> l.contains("[emerg]") || l.contains("[crit]"))
        .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("unexpected"));
    assertThat(mailgate.output()).as("stdout and stderr").doesNotContain("Exception", "Error", "LEAK");
    assertThat(String.join("\n", mailgate.logLines("error.log"))).as("Netty's leak reports").doesNotContain("LEAK");
  }

  private List<String> outOfMemoryLines() throws Exception {
    return mailgate.logLines("error.log").stream().filter(l -> l.contains("out of direct memory")).toList();
  }

  private List<String> metrics() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body().lines().toList();
  }

  private long directMemoryUsed() throws Exception {
    return metrics().stream().filter(l -> l.startsWith("mailgate_netty_direct_memory_used_bytes "))
        .map(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1L);
  }
}
