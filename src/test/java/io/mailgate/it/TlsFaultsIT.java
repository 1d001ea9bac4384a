package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.LogLevel;
import io.mailgate.testkit.FaultMatrixTestBase;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsProxyTestBase;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, TLS (issue 15), for every way a client reaches TLS besides IMAP STARTTLS (ClientFaultsIT's): implicit
 * TLS on IMAPS, POP3S and SMTPS, and the STLS and STARTTLS upgrades of POP3 and SMTP. Each gets random bytes, an
 * HTTP request, half a ClientHello and then the end of the connection, and a whole ClientHello and then silence (the
 * handshake's {@code timeout} fires); each must end in a clean close with one log line saying why, no leaked buffer,
 * and the next client served. A TLS client that stops reading mid-relay holds no more than the relay's buffers and
 * is closed by {@code proxy_timeout}, while another session relays on.
 */
class TlsFaultsIT extends TlsProxyTestBase {

  /** How a client reaches TLS on one kind of listener, and how it logs in afterwards. */
  enum Door {
    IMAPS("imap", true, TlsProxyFixture.IMAP_GREETING, null, null),
    POP3S("pop3", true, TlsProxyFixture.POP3_GREETING, null, null),
    SMTPS("smtp", true, TlsProxyFixture.SMTP_GREETING, null, null),
    POP3_STLS("pop3", false, TlsProxyFixture.POP3_GREETING, "STLS", "+OK"),
    SMTP_STARTTLS("smtp", false, TlsProxyFixture.SMTP_GREETING, "STARTTLS", "220 2.0.0 Start TLS");

    final String protocol;
    final boolean implicit;
    final String greeting;
    final String upgrade;
    final String upgradeReply;

    Door(String protocol, boolean implicit, String greeting, String upgrade, String upgradeReply) {
      this.protocol = protocol;
      this.implicit = implicit;
      this.greeting = greeting;
      this.upgrade = upgrade;
      this.upgradeReply = upgradeReply;
    }

    /** A command the backend answers at once while relaying, and its reply. */
    String[] noop() {
      switch (protocol) {
        case "imap":
          return new String[] {"n1 NOOP", "n1 OK NOOP completed"};
        case "pop3":
          return new String[] {"NOOP", "+OK"};
        default:
          return new String[] {"NOOP", "250 2.0.0 Ok"};
      }
    }

    /** The test command that has the backend send {@code n} bytes; IMAP's needs a tag. */
    String xbig(int n) {
      return (protocol.equals("imap") ? "x1 " : "") + "XBIG " + n;
    }

    String directives() {
      return implicit ? "" : "starttls on;";
    }

    /** A cleartext connection at the point where the client's TLS bytes are due (after the upgrade's reply). */
    TlsLineClient atTls(int port) throws Exception {
      TlsLineClient c = TlsLineClient.plain(port);
      if (!implicit) {
        assertThat(c.readLine()).startsWith(greeting);
        if (protocol.equals("smtp")) {
          c.send("EHLO client.test");
          c.readReply();
        }
        c.send(upgrade);
        assertThat(c.readLine()).isEqualTo(upgradeReply);
      }
      return c;
    }

    /** A client that reaches TLS, logs in as the fixture's user and is relaying. */
    TlsLineClient loggedIn(int port) throws Exception {
      TlsLineClient c = atTls(port);
      c.startTls(FILES.client());
      if (implicit) {
        assertThat(c.readLine()).startsWith(greeting);
      }
      switch (protocol) {
        case "imap":
          c.send("a1 LOGIN " + TlsProxyFixture.USER + " secret");
          assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
          break;
        case "pop3":
          c.send("USER " + TlsProxyFixture.USER);
          assertThat(c.readLine()).isEqualTo("+OK");
          c.send("PASS secret");
          assertThat(c.readLine()).isEqualTo("+OK pass ok");
          break;
        default:
          c.send("EHLO client.test");
          c.readReply();
          c.send("AUTH PLAIN " + TlsProxyFixture.plain("secret"));
          assertThat(c.readLine()).isEqualTo("235 2.0.0 OK");
      }
      return c;
    }
  }

  /**
   * What the client sends where its ClientHello belongs, the log line that says why the session ended (nginx's
   * wording), and when the close comes at the latest (the silent client waits out {@code timeout 2s}).
   */
  enum Garbage {
    RANDOM_BYTES(randomBytes(), "SSL handshake failed", 1000),
    HTTP_REQUEST("GET / HTTP/1.1\r\nHost: mx.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        "SSL handshake failed", 1000),
    /** Then the client half-closes: mailgate reads the end of the stream mid-handshake. */
    HALF_A_CLIENT_HELLO(Arrays.copyOf(clientHello(), clientHello().length / 2),
        "peer closed connection in SSL handshake", 1000),
    CLIENT_HELLO_THEN_SILENCE(clientHello(), "client timed out while SSL handshaking", 4000);

    final byte[] bytes;
    final String why;
    final long closedWithinMillis;

    Garbage(byte[] bytes, String why, long closedWithinMillis) {
      this.bytes = bytes;
      this.why = why;
      this.closedWithinMillis = closedWithinMillis;
    }
  }

  private LogCapture log;

  static Stream<Arguments> doorsAndGarbage() {
    return Arrays.stream(Door.values()).flatMap(d -> Arrays.stream(Garbage.values()).map(g -> Arguments.of(d, g)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("doorsAndGarbage")
  void garbageWhereTheHandshakeBelongsIsClosedWithOneLineAndTheNextClientIsServed(Door door, Garbage garbage)
      throws Exception {
    int port = fx.server(door.protocol, door.implicit, door.directives() + " timeout 2s;");
    fx.start(CERTIFICATE);
    log = LogCapture.onRootAtDebug();
    long start = System.nanoTime();
    try (TlsLineClient c = door.atTls(port)) {
      c.sendBeneathTls(new String(garbage.bytes, StandardCharsets.ISO_8859_1));
      if (garbage == Garbage.HALF_A_CLIENT_HELLO) {
        c.shutdownOutput();
      }
      // A clean close, after at most a TLS alert (or, for the silent client, the server's first handshake flight).
      c.readToEnd(6000);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(millis).as("ms until the close").isLessThan(garbage.closedWithinMillis);
    if (garbage == Garbage.CLIENT_HELLO_THEN_SILENCE) {
      assertThat(millis).as("the handshake's timeout, not sooner").isGreaterThanOrEqualTo(1500);
    }
    Thread.sleep(100);
    FaultMatrixTestBase.assertOneLogLineSaying(log, garbage.why);
    assertThat(log.atLeast(LogLevel.INFO)).as("nothing else said about it")
        .filteredOn(l -> !l.contains(" connected to ")).hasSize(1);
    assertThat(fx.authRequests()).isEmpty();
    assertNextClientIsServed(door, port);
  }

  /** The stalled client's payload: far more than any buffer on the way holds. */
  private static final int STALLED_BYTES = 32 * 1024 * 1024;

  static Stream<Door> doors() {
    return Arrays.stream(Door.values());
  }

  /**
   * A TLS client that stops reading while the backend sends 32 MB: the relay stops reading the backend once the
   * client's write buffer is full (autoRead off), so mailgate's direct memory grows by little more than that buffer;
   * nothing moves, so {@code proxy_timeout} closes the session with one line, and a second session relays throughout.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("doors")
  void aTlsClientThatStopsReadingMidRelayIsBoundedAndClosedByProxyTimeout(Door door) throws Exception {
    int port = fx.server(door.protocol, door.implicit, door.directives() + " proxy_timeout 3s;");
    fx.start(CERTIFICATE);
    log = LogCapture.onRootAtDebug();
    try (TlsLineClient stalled = door.loggedIn(port); TlsLineClient other = door.loggedIn(port)) {
      System.gc();
      long before = PlatformDependent.usedDirectMemory();
      long start = System.nanoTime();
      stalled.send(door.xbig(STALLED_BYTES));
      long peak = 0;
      boolean closed = false;
      // The other session relays while the stalled one holds its buffers, until the timeout closes the stalled one.
      while (!closed && (System.nanoTime() - start) / 1_000_000 < 8000) {
        Thread.sleep(500);
        peak = Math.max(peak, PlatformDependent.usedDirectMemory() - before);
        other.send(door.noop()[0]);
        assertThat(other.readLine()).isEqualTo(door.noop()[1]);
        closed = log.atLeast(LogLevel.INFO).stream().anyMatch(l -> l.contains("proxied session timed out"));
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("%s: a stalled TLS client grew direct memory by at most %d KB; closed after %d ms%n", door,
          peak / 1024, millis);
      assertThat(closed).as("proxy_timeout closed the stalled session").isTrue();
      assertThat(millis).as("ms until proxy_timeout closed it").isBetween(2500L, 7000L);
      assertThat(peak).as("direct memory held for the stalled client").isLessThan(4L * 1024 * 1024);
      // What the stalled client still reads is what was in flight, then the end: far less than was asked for.
      stalled.timeout(2000);
      long got = 0;
      try {
        for (String line; (line = stalled.readLine()) != null; ) {
          got += line.length() + 2;
        }
      } catch (java.io.IOException endOrReset) {
        // the close may come as a reset once mailgate drops what it held
      }
      assertThat(got).as("bytes that reached the stalled client").isLessThan(STALLED_BYTES);
    }
    FaultMatrixTestBase.assertOneLogLineSaying(log, "proxied session timed out");
    assertNextClientIsServed(door, port);
  }

  private static void assertNextClientIsServed(Door door, int port) throws Exception {
    long start = System.nanoTime();
    try (TlsLineClient next = door.loggedIn(port)) {
      next.send(door.noop()[0]);
      assertThat(next.readLine()).isEqualTo(door.noop()[1]);
    }
    assertThat((System.nanoTime() - start) / 1_000_000).as("the next client's ms").isLessThan(3000);
  }

  @AfterEach
  void noLeakInThisCase() throws Exception {
    if (log != null) {
      log.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[512];
    new Random(15).nextBytes(b);
    return b;
  }

  private static byte[] clientHello() {
    try {
      SSLEngine engine = SSLContext.getDefault().createSSLEngine("mx.test", 993);
      engine.setUseClientMode(true);
      engine.beginHandshake();
      ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), out);
      out.flip();
      byte[] hello = new byte[out.remaining()];
      out.get(hello);
      return hello;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
