package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.FaultMatrixTestBase;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.ScriptedPeer;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, backend (issue 15): a backend that is down, silent, speaks garbage, leaves or refuses during the
 * login, half-closes during the relay, or reads (or is read) far slower than its peer sends. The user {@code next}
 * is always routed to the fixture's healthy backend, so {@link #assertNextClientLogsIn} checks the same proxy.
 */
class BackendFaultsIT extends FaultMatrixTestBase {

  private static final int BULK = 50 * 1024 * 1024;
  private static final long MEMORY_BOUND = 16L * 1024 * 1024;

  /** One misbehaving backend: how to make it, what the client gets at login, the log line saying why. */
  record Fault(String name, BackendFactory backend, String why) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Makes the faulty backend of a case; returns its port, registering anything to close with the test. */
  @FunctionalInterface
  interface BackendFactory {
    AutoCloseable open(int[] port) throws IOException;
  }

  static Stream<Fault> faults() {
    return Stream.of(
        new Fault("refused", port -> {
          port[0] = ProxyUnderTest.freePort();
          return () -> {};
        }, "connect() failed"),
        new Fault("silent", port -> fake(port, new FakeImapBackend(null)), "upstream timed out"),
        new Fault("garbage greeting", port -> fake(port, new FakeImapBackend("\u0001\u0002garbage")), "upstream sent invalid response"),
        new Fault("LOGINDISABLED", port -> fake(port, new FakeImapBackend("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi")),
            "upstream disabled LOGIN"),
        new Fault("closes during login", port -> scripted(port, s -> {
          ScriptedPeer.write(s, "* OK ready\r\n");
          ScriptedPeer.readLine(s.getInputStream());
        }), "upstream prematurely closed connection"),
        new Fault("rejects login", port -> scripted(port, s -> {
          ScriptedPeer.write(s, "* OK ready\r\n");
          String login = ScriptedPeer.readLine(s.getInputStream());
          ScriptedPeer.write(s, login.split(" ")[0] + " NO [AUTHENTICATIONFAILED] nope\r\n");
          ScriptedPeer.drain(s);
        }), "upstream sent invalid response: \"a1 NO [AUTHENTICATIONFAILED] nope\""));
  }

  private static AutoCloseable fake(int[] port, FakeImapBackend backend) {
    port[0] = backend.port();
    return backend;
  }

  private static AutoCloseable scripted(int[] port, ScriptedPeer.Script script) throws IOException {
    ScriptedPeer peer = new ScriptedPeer(script);
    port[0] = peer.port();
    return peer;
  }

  /** Routes {@code next...} users to the fixture's backend and everyone else to {@code faultyPort}. */
  private void routeTo(int faultyPort) {
    fx.auth.respondWith(r -> FakeAuthServer.ok(
        r.header("Auth-User").startsWith("next") ? fx.backend.port() : faultyPort));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void aFaultyBackendIsAnInternalErrorWithOneLogLine(Fault fault) throws Exception {
    int[] port = new int[1];
    try (AutoCloseable backend = fault.backend().open(port)) {
      routeTo(port[0]);
      startProxy("", "timeout 1s; proxy_pass_error_message off;");
      fx.assertLoginAnsweredThenClosed(INTERNAL_ERROR);
      assertOneLogLineSaying(fault.why());
      assertNextClientLogsIn();
    }
  }

  /** The backend ends its output after a reply (shutdown(SHUT_WR)): the client gets every byte, then the close. */
  @Test
  void aBackendHalfCloseDuringTheRelayDeliversWhatItSentThenClosesTheClient() throws Exception {
    String body = "y".repeat(300_000);
    try (ScriptedPeer peer = new ScriptedPeer(s -> {
      InputStream in = s.getInputStream();
      loginAsBackend(s, in);
      String command = ScriptedPeer.readLine(in);
      ScriptedPeer.write(s, "* 1 FETCH {" + body.length() + "}\r\n" + body + "\r\n"
          + command.split(" ")[0] + " OK done\r\n");
      s.shutdownOutput();
      ScriptedPeer.drain(s);
    })) {
      try (LineClient c = loggedInVia(peer, "10s")) {
        c.send("a2 FETCH 1 BODY[]");
        assertThat(c.readLine()).isEqualTo("* 1 FETCH {" + body.length() + "}");
        assertThat(c.readLine()).isEqualTo(body);
        assertThat(c.readLine()).isEqualTo("a2 OK done");
        assertThat(c.closedWithin(3000)).isTrue();
      }
      Thread.sleep(100);
      assertOneLogLineSaying("upstream closed connection");
      assertNextClientLogsIn();
    }
  }

  /** The client ends its output mid-session: the backend gets what the client sent, then its connection closes. */
  @Test
  void aClientHalfCloseDuringTheRelayDeliversWhatItSentThenClosesTheBackend() throws Exception {
    CompletableFuture<String> backendSaw = new CompletableFuture<>();
    try (ScriptedPeer peer = new ScriptedPeer(s -> {
      InputStream in = s.getInputStream();
      loginAsBackend(s, in);
      StringBuilder rest = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        rest.append((char) b);
      }
      backendSaw.complete(rest.toString());
    })) {
      try (LineClient c = loggedInVia(peer, "10s")) {
        c.send("a2 APPEND INBOX {5+}\r\nhello");
        c.shutdownOutput();
        assertThat(backendSaw.get(5, TimeUnit.SECONDS)).as("what reached the backend before its EOF")
            .isEqualTo("a2 APPEND INBOX {5+}\r\nhello\r\n");
        assertThat(c.closedWithin(3000)).isTrue();
      }
      Thread.sleep(100);
      assertOneLogLineSaying("client closed connection");
      assertNextClientLogsIn();
    }
  }

  /**
   * 50 MB from the backend to a client that stops reading: mailgate stops reading the backend once its outbound
   * buffer for the client passes the relay's high water mark, so its direct memory for the session stays bounded.
   * Then the client reads, and gets every byte.
   */
  @Test
  void aFiftyMegabyteFetchToAClientThatDoesNotReadKeepsMailgatesMemoryBounded() throws Exception {
    try (ScriptedPeer peer = new ScriptedPeer(s -> {
      InputStream in = s.getInputStream();
      loginAsBackend(s, in);
      String tag = ScriptedPeer.readLine(in).split(" ")[0];
      OutputStream out = s.getOutputStream();
      out.write(("* 1 FETCH {" + BULK + "}\r\n").getBytes(StandardCharsets.US_ASCII));
      writeBulk(out);
      out.write(("\r\n" + tag + " OK done\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ScriptedPeer.drain(s);
    })) {
      try (LineClient c = loggedInVia(peer, "30s")) {
        long before = directMemory();
        c.send("a2 FETCH 1 BODY[]");
        long peak = peakDirectMemoryOver(2000);
        report("backend to a stalled client", before, peak);
        assertThat(peak - before).as("mailgate's direct memory growth, bytes").isLessThan(MEMORY_BOUND);
        assertThat(c.readLine()).isEqualTo("* 1 FETCH {" + BULK + "}");
        assertThat(c.skip(BULK)).isEqualTo(BULK);
        assertThat(c.readLine()).isEmpty();
        assertThat(c.readLine()).isEqualTo("a2 OK done");
      }
      assertNextClientLogsIn();
    }
  }

  /** The reverse: a client sends 50 MB to a backend that stops reading. */
  @Test
  void aFiftyMegabyteAppendToABackendThatDoesNotReadKeepsMailgatesMemoryBounded() throws Exception {
    AtomicLong received = new AtomicLong();
    try (ScriptedPeer peer = new ScriptedPeer(s -> {
      InputStream in = s.getInputStream();
      loginAsBackend(s, in);
      String tag = ScriptedPeer.readLine(in).split(" ")[0];
      Thread.sleep(2500); // not reading: the client's bytes pile up wherever mailgate lets them
      byte[] sink = new byte[65536];
      long left = BULK + 2;
      while (left > 0) {
        int n = in.read(sink, 0, (int) Math.min(sink.length, left));
        if (n < 0) {
          return;
        }
        left -= n;
        received.addAndGet(n);
      }
      ScriptedPeer.write(s, tag + " OK appended\r\n");
      ScriptedPeer.drain(s);
    })) {
      try (LineClient c = loggedInVia(peer, "30s")) {
        long before = directMemory();
        c.send("a2 APPEND INBOX {" + BULK + "+}");
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
          try {
            writeBulk(c.output());
            c.sendRaw("\r\n");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        long peak = peakDirectMemoryOver(2000);
        report("stalled backend from a client", before, peak);
        assertThat(peak - before).as("mailgate's direct memory growth, bytes").isLessThan(MEMORY_BOUND);
        sending.get(30, TimeUnit.SECONDS);
        c.timeout(30_000);
        assertThat(c.readLine()).isEqualTo("a2 OK appended");
      }
      assertThat(received.get()).isEqualTo(BULK + 2);
      assertNextClientLogsIn();
    }
  }

  /**
   * A client logged in through a mailgate (relay idle limit {@code proxyTimeout}) to {@code peer}, which must answer
   * the login as {@link #loginAsBackend} does.
   */
  private LineClient loggedInVia(ScriptedPeer peer, String proxyTimeout) throws Exception {
    routeTo(peer.port());
    startProxy("", "proxy_timeout " + proxyTimeout + ";");
    LineClient c = fx.connect();
    c.send("a1 LOGIN test@example.com secret");
    assertThat(c.readLine()).isEqualTo("a1 OK logged in");
    return c;
  }

  /** Greets, answers the LOGIN with OK: a backend session ready to relay. */
  private static void loginAsBackend(Socket s, InputStream in) throws IOException {
    ScriptedPeer.write(s, "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    String login = ScriptedPeer.readLine(in);
    // With LITERAL+ the user and the password come as non-synchronizing literals, each ending its line with {n+}.
    for (String line = login; line != null && line.endsWith("+}"); line = ScriptedPeer.readLine(in)) {
      // the next literal and what follows it
    }
    ScriptedPeer.write(s, login.split(" ")[0] + " OK logged in\r\n");
  }

  private static void writeBulk(OutputStream out) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'z');
    for (int sent = 0; sent < BULK; sent += chunk.length) {
      out.write(chunk, 0, Math.min(chunk.length, BULK - sent));
    }
    out.flush();
  }

  /** Netty's count of direct memory in use (mailgate runs in this JVM; the test's own sockets are not Netty's). */
  private static long directMemory() {
    long used = PlatformDependent.usedDirectMemory();
    assertThat(used).as("Netty counts its direct memory (the build's --add-opens flags)").isGreaterThanOrEqualTo(0);
    return used;
  }

  private static long peakDirectMemoryOver(int millis) throws InterruptedException {
    long peak = 0;
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) {
      peak = Math.max(peak, directMemory());
      Thread.sleep(20);
    }
    return peak;
  }

  private static void report(String what, long before, long peak) {
    System.out.printf("fault matrix memory: 50 MB %s: Netty direct memory %d KB before, %d KB peak (+%d KB)%n",
        what, before / 1024, peak / 1024, (peak - before) / 1024);
  }
}
