package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FaultMatrixTestBase;
import io.mailgate.testkit.ImapProxyFixture;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsTestFiles;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, client (issue 15): a client that leaves at each phase, trickles one byte a second, floods pipelined
 * commands, never ends a SASL continuation, sends NUL or bytes that are not UTF-8, or garbage where a TLS handshake
 * belongs, or stops reading a TLS session mid-relay. Limits +1 are ImapLimitsIT's (see the issue's inventory).
 */
class ClientFaultsIT extends FaultMatrixTestBase {

  /**
   * A phase to leave in: what the client sends (raw) before it disconnects, and the log line: nginx logs a departure
   * before login at debug only (null here: nothing at info or above), and one in the relay at info.
   */
  record Departure(String phase, String sent, String why) {
    @Override
    public String toString() {
      return phase;
    }
  }

  static Stream<Departure> departures() {
    return Stream.of(
        new Departure("after the greeting", "", null),
        new Departure("mid-command", "a1 LOG", null),
        new Departure("mid-literal", "a1 LOGIN {16}\r\ntest@", null),
        new Departure("in a SASL exchange", "a1 AUTHENTICATE PLAIN\r\n", null),
        new Departure("during the auth lookup", "a1 LOGIN test@example.com secret\r\n", null),
        new Departure("while relaying", "a1 LOGIN test@example.com secret\r\na2 NOOP\r\n",
            "client closed connection"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("departures")
  void aClientLeavingAtAnyPhaseIsLoggedOnceAndTheNextIsServed(Departure d) throws Exception {
    // A slow auth service keeps the "during the auth lookup" client in that phase when it leaves.
    fx.auth.respondWith(FakeAuthServer.delayed(d.phase().contains("lookup") ? 500 : 0,
        r -> FakeAuthServer.ok(fx.backend.port())));
    startProxy("", "timeout 5s;");
    try (LineClient c = fx.connect()) {
      c.sendRaw(d.sent());
      if (d.phase().contains("relay")) {
        assertThat(c.readLines(2)).containsExactly("a1 OK LOGIN completed", "a2 OK NOOP completed");
      }
      Thread.sleep(100);
    }
    Thread.sleep(d.phase().contains("lookup") ? 800 : 200);
    if (d.why() == null) {
      assertThat(log.atLeast(io.mailgate.config.LogLevel.INFO)).as("info and above")
          .noneMatch(l -> l.contains("closed"));
      assertThat(log.atLeast(io.mailgate.config.LogLevel.WARN)).isEmpty();
    } else {
      assertOneLogLineSaying(d.why());
    }
    assertNextClientLogsIn();
  }

  /** What a trickling client is in the middle of when its phase's timeout fires. */
  record Trickle(String phase, String before, String trickled) {
    @Override
    public String toString() {
      return phase;
    }
  }

  static Stream<Trickle> trickles() {
    return Stream.of(
        new Trickle("a command", "", "a1 NOOP\r\n"),
        new Trickle("a SASL response", "a1 AUTHENTICATE PLAIN\r\n", ImapProxyFixture.b64("\0u\0p") + "\r\n"),
        new Trickle("a literal", "a1 LOGIN {16}\r\n", "test@example.com secret\r\n"));
  }

  /** One byte a second does not keep a session alive: {@code timeout} counts from the last complete command. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("trickles")
  void aClientSendingOneByteASecondTimesOut(Trickle t) throws Exception {
    startProxy("", "timeout 2s;");
    try (LineClient c = fx.connect()) {
      c.sendRaw(t.before());
      if (!t.before().isEmpty()) {
        assertThat(c.readLine()).startsWith("+");
      }
      long start = System.nanoTime();
      boolean closed = false;
      for (char b : t.trickled().toCharArray()) {
        try {
          c.sendRaw(String.valueOf(b));
        } catch (java.io.IOException gone) {
          closed = true;
          break;
        }
        if (c.closedWithin(1000)) {
          closed = true;
          break;
        }
      }
      assertThat(closed).as("closed before the trickle completed").isTrue();
      assertThat(millisSince(start)).as("ms until the close").isBetween(1500L, 4500L);
    }
    Thread.sleep(100);
    assertOneLogLineSaying("client timed out");
    assertThat(fx.auth.requests()).as("nothing reached the auth service").isEmpty();
    assertNextClientLogsIn();
  }

  /**
   * 10,000 pipelined commands before login: freenginx's {@code max_commands} (1000 by default) answers the first
   * thousand, refuses the next and closes, with one log line; the flood costs no more than that.
   */
  @Test
  void tenThousandPipelinedCommandsBeforeLoginStopAtMaxCommands() throws Exception {
    startProxy("", "");
    int n = 10_000;
    StringBuilder burst = new StringBuilder();
    for (int i = 0; i < n; i++) {
      burst.append('p').append(i).append(" NOOP\r\n");
    }
    List<String> replies = new java.util.ArrayList<>();
    try (LineClient c = fx.connect()) {
      Thread writer = new Thread(() -> {
        try {
          c.sendRaw(burst.toString());
        } catch (java.io.IOException closedOnUs) {
          // mailgate closed while the flood was still going out
        }
      });
      writer.start();
      // No reset may cut the replies short: mailgate finishes its output and reads the rest of the flood away
      // before it closes (a socket closed with unread input sends RST, and the client's kernel drops what it holds).
      for (String line; (line = c.readLine()) != null; ) {
        replies.add(line);
      }
      writer.join(5000);
    }
    assertThat(replies).hasSize(1001);
    for (int i = 0; i < 1000; i++) {
      assertThat(replies.get(i)).isEqualTo("p" + i + " OK completed");
    }
    assertThat(replies.get(1000)).startsWith("p1000 BAD");
    assertOneLogLineSaying("client sent too many commands");
    assertThat(fx.auth.requests()).isEmpty();
    assertNextClientLogsIn();
  }

  @Test
  void aSaslContinuationThatNeverEndsIsRefusedAtTheBufferAndClosed() throws Exception {
    startProxy("", "");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN");
      assertThat(c.readLine()).isEqualTo("+ ");
      // Up to 1 MB without CRLF, 1 KB at a time; past the 16 KB SASL line limit the client waits for the answer
      // before sending more. Bytes still arriving after mailgate closed would make its kernel answer with a reset,
      // which can discard the BAD line on its way in: a real client that keeps sending loses it too.
      String chunk = "QUFB".repeat(256);
      int sent = 0;
      try {
        while (sent < (1 << 20) && !c.hasInputWithin(sent > 16 * 1024 ? 500 : 0)) {
          c.sendRaw(chunk);
          sent += chunk.length();
        }
      } catch (java.io.IOException closedOnUs) {
        // mailgate closed while we were still sending: also an answer
      }
      assertThat(sent).as("refused soon after the limit").isLessThanOrEqualTo(32 * 1024);
      List<String> rest = new java.util.ArrayList<>();
      for (String line; (line = c.readLine()) != null; ) {
        rest.add(line);
      }
      assertThat(rest).as("nginx's answer to a line past the limit").containsExactly("a1 BAD invalid command");
    }
    assertOneLogLineSaying("too long");
    assertThat(fx.auth.requests()).isEmpty();
    assertNextClientLogsIn();
  }

  @Test
  void nulBytesAndInvalidUtf8() throws Exception {
    startProxy("", "");
    try (LineClient c = fx.connect()) {
      c.sendRaw("a1 LOGIN te\0st secret\r\n");
      assertThat(c.readLine()).startsWith("a1 BAD");
      // Not UTF-8: nginx passes the bytes through; so does mailgate, to the auth service and the backend.
      c.sendRaw("a2 LOGIN \u00ff\u00fe\u00c3 secret\r\n");
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
    }
    assertThat(fx.auth.requests()).singleElement().satisfies(r ->
        assertThat(r.header("Auth-User")).isEqualTo("\u00ff\u00fe\u00c3"));
    assertOneLogLineSaying("client logged in");
    assertNextClientLogsIn();
  }

  @Test
  void garbageInsteadOfATlsHandshakeAfterStarttlsIsClosedAndLogged() throws Exception {
    TlsTestFiles files = TlsTestFiles.shared();
    startProxy("", "starttls on; " + TlsTestFiles.certificate(files.serverRsa));
    try (LineClient c = fx.connect()) {
      c.send("a1 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.sendRaw("\u0016\u0003\u0001\u0000\u0005garbage garbage garbage\r\n");
      // mailgate answers with a TLS alert, then closes.
      assertThat(c.endsWithin(3000)).as("closed after the alert").isTrue();
    }
    Thread.sleep(100);
    assertOneLogLineSaying("SSL handshake failed");
    assertNextClientLogsIn();
  }

  /** A TLS client that stops reading while the backend sends 4 MB, then reads on: all of it arrives. */
  @Test
  void aTlsClientThatStopsReadingMidRelayGetsEverythingWhenItReadsAgain() throws Exception {
    TlsTestFiles files = TlsTestFiles.shared();
    startProxy("", "starttls on; proxy_timeout 20s; " + TlsTestFiles.certificate(files.serverRsa));
    int size = 4 * 1024 * 1024;
    try (TlsLineClient c = TlsLineClient.plain(fx.port())) {
      assertThat(c.readLine()).isEqualTo(ImapProxyFixture.GREETING);
      c.send("a1 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.startTls(TlsClientOptions.trusting(files.pki.ca().x509()));
      c.send("a2 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
      c.send("a3 XBIG " + size);
      Thread.sleep(2000); // not reading
      assertThat(c.readLine()).isEqualTo("* XBIG {" + size + "}");
      assertThat(c.readLine()).hasSize(size);
      assertThat(c.readLine()).isEqualTo("a3 OK XBIG completed");
    }
    assertNextClientLogsIn();
  }
}
