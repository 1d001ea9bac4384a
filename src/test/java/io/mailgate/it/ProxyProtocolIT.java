package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsTestFiles;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen ... proxy_protocol}, {@code set_real_ip_from} and {@code proxy_protocol on} end to end, as nginx's
 * mail_proxy_protocol.t exercises them: the header a load balancer sends first (version 1 text or version 2 binary),
 * the Proxy-Protocol-* auth_http headers, the real client taking over Client-IP only for trusted balancers, and the
 * PROXY line mailgate sends its backend.
 */
class ProxyProtocolIT {

  private static final String HEADER_V1 = "PROXY TCP4 192.0.2.1 192.0.2.2 123 5678\r\n";

  @TempDir Path dir;
  FakeImapBackend backend;
  FakeAuthServer auth;
  ProxyUnderTest proxy;

  @BeforeEach
  void services() throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.port()));
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    auth.close();
    backend.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  private void start(String serverDirectives) throws Exception {
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT% proxy_protocol; protocol imap; " + serverDirectives + " }");
  }

  private void login(LineClient c) throws Exception {
    assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
    c.send("a1 LOGIN alice secret");
    assertThat(c.readLine()).startsWith("a1 OK");
  }

  @Test
  void anUntrustedBalancersHeaderIsPassedOnButTheConnectionStaysTheClient() throws Exception {
    start("proxy_protocol on;");
    try (LineClient c = new LineClient(proxy.port())) {
      c.sendRaw(HEADER_V1);
      login(c);
    }
    FakeAuthServer.Request request = auth.requests().get(0);
    assertThat(request.header("Client-IP")).isEqualTo("127.0.0.1");
    assertThat(request.header("Proxy-Protocol-Addr")).isEqualTo("192.0.2.1");
    assertThat(request.header("Proxy-Protocol-Port")).isEqualTo("123");
    assertThat(request.header("Proxy-Protocol-Server-Addr")).isEqualTo("192.0.2.2");
    assertThat(request.header("Proxy-Protocol-Server-Port")).isEqualTo("5678");
    assertThat(backend.received().get(0)).matches("PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ " + proxy.port());
    assertThat(backend.received().get(1)).startsWith("a1 LOGIN");
  }

  @Test
  void aTrustedBalancerNamesTheClientForTheAuthServiceAndTheBackend() throws Exception {
    start("proxy_protocol on; set_real_ip_from 10.0.0.0/8; set_real_ip_from 127.0.0.0/8;");
    try (LineClient c = new LineClient(proxy.port())) {
      c.sendRaw(HEADER_V1);
      login(c);
    }
    assertThat(auth.requests().get(0).header("Client-IP")).isEqualTo("192.0.2.1");
    assertThat(backend.received().get(0)).isEqualTo("PROXY TCP4 192.0.2.1 127.0.0.1 123 " + proxy.port());
  }

  @Test
  void aBinaryVersion2HeaderWithIpv6AddressesIsRead() throws Exception {
    start("set_real_ip_from 127.0.0.1;");
    try (LineClient c = new LineClient(proxy.port())) {
      c.sendRaw(version2Tcp6("2001:db8::1", 40000, "2001:db8::25", 143));
      login(c);
    }
    FakeAuthServer.Request request = auth.requests().get(0);
    assertThat(request.header("Client-IP")).isEqualTo("2001:db8::1");
    assertThat(request.header("Proxy-Protocol-Addr")).isEqualTo("2001:db8::1");
    assertThat(request.header("Proxy-Protocol-Server-Port")).isEqualTo("143");
    assertThat(backend.received().get(0)).as("no proxy_protocol towards the backend").startsWith("a1 LOGIN");
  }

  @Test
  void anUnknownHeaderLeavesTheConnectionsOwnAddress() throws Exception {
    start("set_real_ip_from 127.0.0.1;");
    try (LineClient c = new LineClient(proxy.port())) {
      c.sendRaw("PROXY UNKNOWN\r\n");
      login(c);
    }
    FakeAuthServer.Request request = auth.requests().get(0);
    assertThat(request.header("Client-IP")).isEqualTo("127.0.0.1");
    assertThat(request.headers()).doesNotContainKey("Proxy-Protocol-Addr");
  }

  @Test
  void bytesRightBehindTheHeaderReachTheSession() throws Exception {
    start("");
    try (LineClient c = new LineClient(proxy.port())) {
      c.sendRaw(HEADER_V1 + "a1 CAPABILITY\r\n");
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      assertThat(c.readLine()).startsWith("* CAPABILITY IMAP4");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
    }
  }

  @Test
  void aConnectionWithoutAHeaderIsClosedWithoutAGreetingAndWithoutLoggingWhatItSent() throws Exception {
    start("");
    try (LogCapture log = LogCapture.onRootAtDebug(); LineClient c = new LineClient(proxy.port())) {
      c.sendRaw("a1 LOGIN alice hunter2-secret\r\n");
      assertThat(c.closedWithin(5000)).isTrue();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(log.text()).contains("broken PROXY protocol header"));
      assertThat(log.text()).doesNotContain("hunter2");
    }
    assertThat(auth.requests()).isEmpty();
  }

  @Test
  void aBrokenHeaderWithBytesBehindItIsLoggedOnce() throws Exception {
    // Found by ProxyHeaderFuzzTest: Netty's decoder refuses the first line, closes, and refuses the rest again as the
    // input closes; the session logged both.
    start("");
    try (LogCapture log = LogCapture.onRootAtDebug(); LineClient c = new LineClient(proxy.port())) {
      c.sendRaw("\t\n\r\na1 LOGIN alice hunter2-secret\r\n");
      assertThat(c.closedWithin(5000)).isTrue();
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() ->
          log.text().split("broken PROXY protocol header", -1).length - 1 == 1);
      assertThat(log.text()).doesNotContain("hunter2");
    }
  }

  @Test
  void aBalancerThatSendsNothingTimesOut() throws Exception {
    start("timeout 1s;");
    try (LogCapture log = LogCapture.onRootAtDebug(); LineClient c = new LineClient(proxy.port())) {
      long started = System.nanoTime();
      assertThat(c.closedWithin(5000)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(800));
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(log.text()).contains("client timed out while reading PROXY protocol"));
    }
  }

  @Test
  void aBalancerThatHangsUpBeforeTheHeaderEndsTheSessionAndItsTimer() throws Exception {
    start("timeout 1s;");
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      new LineClient(proxy.port()).close();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(log.text()).contains("client closed connection while reading PROXY protocol"));
      Thread.sleep(1500);
      assertThat(log.text()).doesNotContain("timed out");
    }
  }

  @Test
  void anImplicitTlsListenerReadsTheHeaderBeforeTheHandshake() throws Exception {
    TlsTestFiles files = TlsTestFiles.shared();
    try (TlsProxyFixture fx = new TlsProxyFixture(dir)) {
      int port = fx.server("imap", " ssl proxy_protocol", "set_real_ip_from 127.0.0.1;");
      fx.start(TlsTestFiles.certificate(files.serverRsa));
      try (TlsLineClient c = TlsLineClient.plain(port)) {
        c.sendRaw(HEADER_V1);
        c.startTls(files.client());
        assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
        c.send("a1 LOGIN " + TlsProxyFixture.USER + " secret");
        assertThat(c.readLine()).startsWith("a1 OK");
      }
      FakeAuthServer.Request request = fx.onlyAuthRequest();
      assertThat(request.header("Client-IP")).isEqualTo("192.0.2.1");
      assertThat(request.header("Auth-SSL")).isEqualTo("on");
    }
  }

  /** HAProxy's version 2 header for a TCP over IPv6 connection (proxy-protocol.txt §2.2), as chars 0-255. */
  private static String version2Tcp6(String source, int sourcePort, String destination, int destinationPort)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    out.write(0x21); // version 2, PROXY
    out.write(0x21); // AF_INET6, STREAM
    out.write(0);
    out.write(36);
    out.write(InetAddress.getByName(source).getAddress());
    out.write(InetAddress.getByName(destination).getAddress());
    out.write(sourcePort >> 8);
    out.write(sourcePort & 0xFF);
    out.write(destinationPort >> 8);
    out.write(destinationPort & 0xFF);
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
