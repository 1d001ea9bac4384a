package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeTlsBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS towards the backend, the same scenarios for each protocol: implicit TLS and STARTTLS with a verified certificate,
 * a wrong name, an untrusted CA, a backend without STARTTLS (no credential may leave in clear), the auth service's
 * {@code Auth-Proxy-SSL} headers on a server with {@code proxy_ssl off}, an IP literal name, and
 * {@code proxy_ssl_verify off}. A subclass drives its protocol's client.
 */
abstract class BackendTlsITBase {

  /** The name in the backend's certificate; the backend itself is reached at 127.0.0.1 from Auth-Server. */
  static final String NAME = "backend.example.com";

  @TempDir static Path pkiDir;
  static TestPki pki;
  static TestPki rogue;

  @TempDir Path dir;
  FakeTlsBackend backend;
  FakeAuthServer auth;
  ProxyUnderTest proxy;
  LogCapture log;

  /** The backend's protocol. */
  abstract FakeTlsBackend.Protocol protocol();

  /** The server block's protocol directives, e.g. {@code protocol imap;}. */
  abstract String protocolDirectives();

  /** Connects, logs in with user test@example.com / secret, and checks one command works over the relay. */
  abstract void logInAndUse(int port) throws IOException;

  /** Connects, tries to log in, and returns the reply to the login (the internal error is expected). */
  abstract String logInExpectingFailure(int port) throws IOException;

  /** The protocol's internal error reply line. */
  abstract String internalError();

  /** What the proxy sends in clear before STARTTLS: nothing else may go out unprotected. */
  abstract List<String> cleartextBeforeStartTls();

  /** Whether a backend line carries the login or password. */
  abstract boolean carriesCredentials(String line);

  @BeforeAll
  static void pki() {
    pki = TestPki.create(pkiDir);
    rogue = TestPki.create(pkiDir, "Rogue CA");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (log != null) {
      log.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (auth != null) {
      auth.close();
    }
    if (backend != null) {
      backend.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  /** Starts the backend, an auth service routing to it with {@code authHeaders}, and mailgate. */
  void start(FakeTlsBackend.Mode mode, TestPki.Pair certificate, String serverDirectives, String... authHeaders)
      throws Exception {
    backend = new FakeTlsBackend(protocol(), mode, certificate);
    startWith(backend, serverDirectives, authHeaders);
  }

  void startWith(FakeTlsBackend fake, String serverDirectives, String... authHeaders) throws Exception {
    backend = fake;
    auth = new FakeAuthServer(request -> FakeAuthServer.ok(fake.port(), authHeaders));
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; " + protocolDirectives() + " " + serverDirectives + " }");
    log = LogCapture.onRootAtDebug();
  }

  static String trusted() {
    return "proxy_ssl_trusted_certificate " + pki.ca().certificate() + ";";
  }

  void assertCredentialsOnlyOverTls() {
    assertThat(backend.receivedInClear()).noneMatch(this::carriesCredentials);
    assertThat(backend.receivedOverTls()).anyMatch(this::carriesCredentials);
  }

  void assertNoCredentialsSent() {
    assertThat(backend.received()).extracting(FakeTlsBackend.Line::text).noneMatch(this::carriesCredentials);
  }

  void awaitLog(String text) {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.text()).contains(text));
  }

  @Test
  void implicitTlsWithProxySslNameVerifiesTheCertificateAndASecondLoginWorksToo() throws Exception {
    start(FakeTlsBackend.Mode.IMPLICIT, pki.server(TestPki.KeyType.RSA, NAME),
        "proxy_ssl on; " + trusted() + " proxy_ssl_name " + NAME + ";");
    logInAndUse(proxy.port());
    logInAndUse(proxy.port());
    assertThat(backend.receivedInClear()).isEmpty();
    assertCredentialsOnlyOverTls();
    assertThat(backend.serverNames()).containsExactly(NAME, NAME);
    awaitLog("upstream TLS: implicit TLS, name \"" + NAME + "\", verify on");
  }

  @Test
  void starttlsUpgradesBeforeAnyCredentialAndVerifiesTheCertificate() throws Exception {
    start(FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.ECDSA, NAME),
        "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME + ";");
    logInAndUse(proxy.port());
    assertThat(backend.receivedInClear()).containsExactlyElementsOf(cleartextBeforeStartTls());
    assertCredentialsOnlyOverTls();
    assertThat(backend.serverNames()).containsExactly(NAME);
  }

  @Test
  void aCertificateForAnotherNameFailsTheLoginWithTheReasonInTheLog() throws Exception {
    start(FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.RSA, "other.example.com"),
        "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME + ";");
    assertThat(logInExpectingFailure(proxy.port())).isEqualTo(internalError());
    assertNoCredentialsSent();
    awaitLog("SSL handshake with upstream failed");
    assertThat(log.text()).contains(NAME).contains("SSL handshaking to upstream");
  }

  @Test
  void aCertificateFromAnUntrustedCaFailsTheLogin() throws Exception {
    start(FakeTlsBackend.Mode.IMPLICIT, rogue.server(TestPki.KeyType.RSA, NAME),
        "proxy_ssl on; " + trusted() + " proxy_ssl_name " + NAME + ";");
    assertThat(logInExpectingFailure(proxy.port())).isEqualTo(internalError());
    assertThat(backend.received()).isEmpty();
    awaitLog("SSL handshake with upstream failed");
  }

  @Test
  void aBackendWithoutStarttlsIsAClearFailureAndGetsNoCredentials() throws Exception {
    start(FakeTlsBackend.Mode.CLEARTEXT, pki.server(TestPki.KeyType.RSA, NAME),
        "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME + ";");
    assertThat(logInExpectingFailure(proxy.port())).isEqualTo(internalError());
    awaitLog("upstream does not support STARTTLS");
    assertNoCredentialsSent();
    assertThat(backend.receivedOverTls()).isEmpty();
  }

  @Test
  void theAuthServiceCanRequireStarttlsAndNameTheCertificateOnAServerWithProxySslOff() throws Exception {
    start(FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.RSA, NAME), trusted(),
        "Auth-Proxy-SSL: starttls", "Auth-Proxy-SSL-Name: " + NAME);
    logInAndUse(proxy.port());
    assertThat(backend.receivedInClear()).containsExactlyElementsOf(cleartextBeforeStartTls());
    assertCredentialsOnlyOverTls();
    assertThat(backend.serverNames()).containsExactly(NAME);
  }

  @Test
  void withoutANameTheBackendAddressMustBeAnIpSubjectAltNameAndIsNotSentBySni() throws Exception {
    start(FakeTlsBackend.Mode.IMPLICIT, pki.server(TestPki.KeyType.RSA, "127.0.0.1"), "proxy_ssl on; " + trusted());
    logInAndUse(proxy.port());
    assertCredentialsOnlyOverTls();
    assertThat(backend.serverNames()).containsExactly("(none)");
  }

  @Test
  void proxySslVerifyOffAcceptsASelfSignedCertificate() throws Exception {
    start(FakeTlsBackend.Mode.STARTTLS, pki.selfSigned("self-signed-" + protocol(), "self.example.com"),
        "proxy_ssl starttls; proxy_ssl_verify off;");
    logInAndUse(proxy.port());
    assertCredentialsOnlyOverTls();
  }
}
