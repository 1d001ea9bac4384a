package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.config.LogLevel;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FaultMatrixTestBase;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.ScriptedPeer;
import io.mailgate.testkit.TestPki;
import io.mailgate.testkit.TlsTestFiles;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 over real sockets: {@code auth_http https://...} against a local HTTPS auth service with a test CA (chain,
 * name and mutual TLS checked, one TLS handshake per pooled connection rather than per login), and several auth
 * services with failover: one of two dead, both dead, one back, a 5xx, round robin, the background probe.
 */
class AuthHttpsFailoverIT extends FaultMatrixTestBase {

  private static final TlsTestFiles TLS = TlsTestFiles.shared();
  private static final String TRUST_TEST_CA = "auth_http_ssl_trusted_certificate " + TLS.pki.ca().certificate() + ";";

  private final List<FakeAuthServer> services = new ArrayList<>();

  @AfterEach
  void closeServices() throws IOException {
    for (FakeAuthServer s : services) {
      s.close();
    }
  }

  /** OK towards the fixture's backend, keep-alive (HTTP/1.1 with a length), so that connections are pooled. */
  private Function<FakeAuthServer.Request, String> keepAliveOk() {
    return r -> "HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: " + fx.backend.port()
        + "\r\nContent-Length: 0\r\n";
  }

  private FakeAuthServer https(int port, TestPki.Pair certificate) throws IOException {
    FakeAuthServer s = FakeAuthServer.https(port, certificate, null, keepAliveOk());
    services.add(s);
    return s;
  }

  private FakeAuthServer plain(int port, Function<FakeAuthServer.Request, String> responder) throws IOException {
    FakeAuthServer s = FakeAuthServer.onPort(port, responder);
    services.add(s);
    return s;
  }

  private static String url(String scheme, int port) {
    return "auth_http " + scheme + "://127.0.0.1:" + port + "/auth";
  }

  /** One login; true when it got in (and logged out), false on the temporary-failure reply. */
  private boolean logsIn() throws IOException {
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN user@example.com secret");
      String reply = c.readLine();
      if (reply.equals(INTERNAL_ERROR)) {
        assertThat(c.closedWithin(3000)).as("closed after the temporary failure").isTrue();
        return false;
      }
      assertThat(reply).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 LOGOUT");
      assertThat(c.readLines(2)).containsExactly("* BYE fake logging out", "a2 OK LOGOUT completed");
      return true;
    }
  }

  private List<String> linesSaying(String text) {
    return log.atLeast(LogLevel.INFO).stream().filter(l -> l.contains(text)).toList();
  }

  // ---- TLS

  @Test
  void loginsGoThroughAnHttpsServiceWithOneHandshakePerPooledConnection() throws Exception {
    FakeAuthServer auth = https(0, TLS.serverRsa);
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA + "\nauth_http_ssl_name localhost;", "");

    int logins = 20;
    for (int i = 0; i < logins; i++) {
      assertThat(logsIn()).as("login %d", i).isTrue();
    }

    assertThat(auth.requests()).hasSize(logins);
    assertThat(auth.handshakes()).as("server-side handshakes: one per connection").isEqualTo(auth.connections());
    // Sequential logins reuse the pooled connection of their event loop: at most one connection per loop.
    assertThat(auth.connections()).as("connections for %d logins", logins).isBetween(1, 4);
    assertThat(auth.requests().get(0).header("Host")).isEqualTo("127.0.0.1");
    assertThat(log.atLeast(LogLevel.WARN)).isEmpty();
  }

  @Test
  void aNewConnectionResumesTheTlsSessionOfThePreviousOne() throws Exception {
    FakeAuthServer auth = https(0, TLS.serverRsa);
    // No pool: every login opens a connection, and so a handshake.
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA + "\nauth_http_keepalive 0;", "");

    for (int i = 0; i < 3; i++) {
      assertThat(logsIn()).isTrue();
    }

    assertThat(auth.handshakes()).isEqualTo(3);
    assertThat(auth.resumedHandshakes()).as("all but the first resume a session").isEqualTo(2);
  }

  @Test
  void sessionReuseOffMakesEveryHandshakeAFullOne() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.handler.ssl.OpenSsl.isAvailable(),
        "auth_http_ssl_session_reuse off needs BoringSSL");
    FakeAuthServer auth = https(0, TLS.serverRsa);
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA
        + "\nauth_http_keepalive 0; auth_http_ssl_session_reuse off; auth_http_ssl_protocols TLSv1.2;", "");

    for (int i = 0; i < 3; i++) {
      assertThat(logsIn()).isTrue();
    }

    assertThat(auth.handshakes()).isEqualTo(3);
    assertThat(auth.resumedHandshakes()).isZero();
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedWithAClearLogLine() throws Exception {
    FakeAuthServer auth = https(0, TLS.serverRsa);
    startProxyRaw(url("https", auth.port()) + ";\nauth_http_ssl_trusted_certificate "
        + TLS.otherPki.ca().certificate() + ";", "");

    assertThat(logsIn()).isFalse();

    assertThat(auth.requests()).as("no request crossed the untrusted connection").isEmpty();
    assertOneLogLineSaying("auth http server https://127.0.0.1:" + auth.port()
        + " SSL handshake failed (certificate refused: ");
  }

  @Test
  void aCertificateForAnotherNameIsRefusedWithAClearLogLine() throws Exception {
    FakeAuthServer auth = https(0, TLS.sni);
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA + "\nauth_http_ssl_name auth.example.org;", "");

    assertThat(logsIn()).isFalse();

    assertThat(auth.requests()).isEmpty();
    assertOneLogLineSaying("SSL handshake failed (certificate refused: ");
    assertThat(linesSaying("SSL handshake failed").get(0)).contains("auth.example.org");
  }

  @Test
  void theNameIsCheckedByDefaultAgainstTheUrlsHost() throws Exception {
    // The SNI certificate names sni.mail.test only; the URL says 127.0.0.1.
    FakeAuthServer auth = https(0, TLS.sni);
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA, "");

    assertThat(logsIn()).isFalse();
    assertOneLogLineSaying("SSL handshake failed (certificate refused: ");
  }

  @Test
  void anIpAddressInTheUrlMatchesTheCertificatesIpAddressName() throws Exception {
    FakeAuthServer auth = https(0, TLS.serverRsa);
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA, "");

    assertThat(logsIn()).isTrue();
  }

  /** The JDK fallback provider ({@code -Dmailgate.tls.provider=jdk}) verifies chain and name the same way. */
  @Test
  void theJdkProviderChecksTheNameAndServesLoginsToo() throws Exception {
    System.setProperty("mailgate.tls.provider", "jdk");
    try {
      FakeAuthServer wrongName = https(0, TLS.sni);
      FakeAuthServer right = https(0, TLS.serverRsa);
      startProxyRaw(url("https", wrongName.port()) + ";\n" + url("https", right.port()) + ";\n" + TRUST_TEST_CA, "");

      assertThat(logsIn()).isTrue();
      assertThat(logsIn()).isTrue();

      assertThat(wrongName.requests()).isEmpty();
      assertThat(right.requests()).hasSize(2);
      assertThat(right.handshakes()).isEqualTo(right.connections());
      assertThat(linesSaying("SSL handshake failed (certificate refused: ")).hasSize(1);
    } finally {
      System.clearProperty("mailgate.tls.provider");
    }
  }

  @Test
  void verifyOffAcceptsAnyCertificate() throws Exception {
    FakeAuthServer auth = https(0, TLS.sni);
    startProxyRaw(url("https", auth.port()) + ";\nauth_http_ssl_verify off;", "");

    assertThat(logsIn()).isTrue();
  }

  @Test
  void mutualTlsPresentsTheConfiguredClientCertificate() throws Exception {
    FakeAuthServer auth = FakeAuthServer.https(0, TLS.serverRsa, TLS.pki.ca().x509(), keepAliveOk());
    services.add(auth);
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA + "\nauth_http_ssl_certificate "
        + TLS.alice.certificate() + ";\nauth_http_ssl_certificate_key " + TLS.alice.key() + ";", "");

    assertThat(logsIn()).isTrue();

    assertThat(auth.clientSubjects()).isNotEmpty().allMatch(s -> s.equals("CN=alice,O=Example"));
  }

  @Test
  void mutualTlsWithoutAClientCertificateFails() throws Exception {
    FakeAuthServer auth = FakeAuthServer.https(0, TLS.serverRsa, TLS.pki.ca().x509(), keepAliveOk());
    services.add(auth);
    startProxyRaw(url("https", auth.port()) + ";\n" + TRUST_TEST_CA, "");

    assertThat(logsIn()).isFalse();
    assertThat(auth.requests()).isEmpty();
    // TLS 1.3: the server's refusal arrives as an alert after the client's side of the handshake.
    assertOneLogLineSaying("auth http server https://127.0.0.1:" + auth.port() + " SSL handshake failed (");
  }

  // ---- several services

  @Test
  void oneOfTwoDeadThenBothDeadThenOneBack() throws Exception {
    int deadPort = ProxyUnderTest.freePort();
    FakeAuthServer second = https(0, TLS.serverRsa);
    int secondPort = second.port();
    startProxyRaw(url("http", deadPort) + ";\n" + url("https", secondPort) + ";\n" + TRUST_TEST_CA
        + "\nauth_http_down_time 30s; auth_http_timeout 2s;", "");

    // One of two dead: the login moves on to the second, and the first is marked down.
    assertThat(logsIn()).isTrue();
    assertThat(logsIn()).isTrue();
    assertThat(second.requests()).hasSize(2);
    assertThat(linesSaying("connect() failed")).as("the first is tried once, then skipped").hasSize(1);
    assertThat(linesSaying("connect() failed").get(0)).contains("trying auth http server https://127.0.0.1:"
        + secondPort);
    assertThat(linesSaying("marked down")).hasSize(1);

    // Both dead: the temporary-failure reply.
    second.close();
    assertThat(logsIn()).isFalse();
    assertThat(logsIn()).isFalse();

    // One back: the next login finds it (every service is down, so all are tried).
    FakeAuthServer back = https(secondPort, TLS.serverRsa);
    assertThat(logsIn()).isTrue();
    assertThat(back.requests()).hasSize(1);
    assertThat(linesSaying("is up again")).hasSize(1);
  }

  @Test
  void aServiceThatNeverCompletesItsHandshakeTimesOutAndTheLoginMovesOn() throws Exception {
    // Accepts TCP, never speaks TLS: connect_timeout bounds TCP connect plus handshake.
    try (ScriptedPeer silent = new ScriptedPeer(ScriptedPeer::drain)) {
      FakeAuthServer good = plain(0, keepAliveOk());
      startProxyRaw(url("https", silent.port()) + " connect_timeout=500ms;\n" + url("http", good.port()) + ";\n"
          + TRUST_TEST_CA, "");

      long start = System.nanoTime();
      assertThat(logsIn()).isTrue();

      assertThat(millisSince(start)).as("the connect timeout, not the 60 s request timeout").isLessThan(3000);
      assertThat(good.requests()).hasSize(1);
      assertThat(linesSaying("auth http server https://127.0.0.1:" + silent.port() + " timed out, trying"))
          .hasSize(1);
    }
  }

  @Test
  void aServiceAnswering5xxIsMarkedDownButTheLoginIsNotAskedAgainElsewhere() throws Exception {
    FakeAuthServer broken = plain(0, r -> "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n");
    FakeAuthServer good = plain(0, keepAliveOk());
    startProxyRaw(url("http", broken.port()) + ";\n" + url("http", good.port()) + ";\nauth_http_down_time 30s;", "");

    assertThat(logsIn()).as("the 5xx answer is final for this login").isFalse();
    assertThat(good.requests()).as("never asked twice").isEmpty();
    assertThat(linesSaying("answered HTTP 503 without Auth-Status")).isNotEmpty();

    assertThat(logsIn()).as("the next login skips the service marked down").isTrue();
    assertThat(broken.requests()).hasSize(1);
    assertThat(good.requests()).hasSize(1);
  }

  @Test
  void aServiceThatClosesBeforeAnyResponseByteHandsTheLoginToTheNext() throws Exception {
    FakeAuthServer closing = plain(0, r -> null);
    FakeAuthServer good = plain(0, keepAliveOk());
    startProxyRaw(url("http", closing.port()) + ";\n" + url("http", good.port()) + ";", "");

    assertThat(logsIn()).isTrue();

    assertThat(closing.requests()).hasSize(1);
    assertThat(good.requests()).hasSize(1);
    assertThat(linesSaying("closed connection prematurely, trying auth http server")).hasSize(1);
  }

  @Test
  void aServiceThatClosesAfterSomeResponseBytesFailsTheLoginWithoutAskingAnother() throws Exception {
    try (ScriptedPeer truncating = new ScriptedPeer(sock -> {
      ScriptedPeer.readHttpHead(sock.getInputStream());
      ScriptedPeer.write(sock, "HTTP/1.0 200 OK\r\nAuth-Sta");
    })) {
      FakeAuthServer good = plain(0, keepAliveOk());
      startProxyRaw(url("http", truncating.port()) + ";\n" + url("http", good.port()) + ";", "");

      assertThat(logsIn()).as("a login the first may have counted is not asked again").isFalse();

      assertThat(good.requests()).isEmpty();
      assertOneLogLineSaying("auth http server 127.0.0.1:" + truncating.port() + " closed connection prematurely");
    }
  }

  @Test
  void roundRobinSpreadsLoginsAcrossServices() throws Exception {
    FakeAuthServer a = plain(0, keepAliveOk());
    FakeAuthServer b = plain(0, keepAliveOk());
    startProxyRaw(url("http", a.port()) + ";\n" + url("http", b.port()) + ";\nauth_http_balance round_robin;", "");

    for (int i = 0; i < 6; i++) {
      assertThat(logsIn()).isTrue();
    }

    assertThat(a.requests()).hasSize(3);
    assertThat(b.requests()).hasSize(3);
  }

  @Test
  void aServiceMarkedDownIsProbedInTheBackgroundAndTakenBackWhenItAnswers() throws Exception {
    int firstPort = ProxyUnderTest.freePort();
    FakeAuthServer second = plain(0, keepAliveOk());
    startProxyRaw(url("http", firstPort) + ";\n" + url("http", second.port()) + ";\nauth_http_down_time 300ms;", "");
    assertThat(logsIn()).isTrue();
    assertThat(second.requests()).hasSize(1);

    FakeAuthServer first = plain(firstPort, keepAliveOk());
    // No login meanwhile: the probe alone connects.
    await().atMost(Duration.ofSeconds(5)).until(() -> first.connections() > 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> !linesSaying("is up again").isEmpty());

    assertThat(logsIn()).isTrue();
    assertThat(first.requests()).as("back in first place").hasSize(1);
    assertThat(second.requests()).hasSize(1);
  }
}
