package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeTlsBackend;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.TestPki;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TLS from mailgate to an IMAP backend: implicit TLS (IMAPS) and STARTTLS (RFC 3501 §6.2.1). */
class BackendImapTlsIT extends BackendTlsITBase {

  @Override
  FakeTlsBackend.Protocol protocol() {
    return FakeTlsBackend.Protocol.IMAP;
  }

  @Override
  String protocolDirectives() {
    return "protocol imap;";
  }

  @Override
  void logInAndUse(int port) throws IOException {
    try (LineClient c = new LineClient(port)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK [CAPABILITY IMAP4rev1] Logged in");
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
    }
  }

  @Override
  String logInExpectingFailure(int port) throws IOException {
    try (LineClient c = new LineClient(port)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 LOGIN test@example.com secret");
      String reply = c.readLine();
      assertThat(c.closedWithin(3000)).isTrue();
      return reply;
    }
  }

  @Override
  String internalError() {
    return "* BAD internal server error";
  }

  @Override
  List<String> cleartextBeforeStartTls() {
    // The greeting announces STARTTLS (with LOGINDISABLED, as Dovecot before TLS).
    return List.of("mgS STARTTLS");
  }

  @Override
  boolean carriesCredentials(String line) {
    return line.contains("LOGIN") || line.contains("secret");
  }

  @Test
  void withoutCapabilitiesInTheGreetingTheProxyAsksBeforeStarttlsAndAgainOverTls() throws Exception {
    startWith(new FakeTlsBackend(protocol(), FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.RSA, NAME))
        .withoutGreetingCapabilities(), "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME + ";");
    logInAndUse(proxy.port());
    assertThat(backend.receivedInClear()).containsExactly("mgC CAPABILITY", "mgS STARTTLS");
    // Over TLS LITERAL+ is announced, so LOGIN goes in one piece with non-synchronizing literals.
    assertThat(backend.receivedOverTls()).containsExactly("mgC CAPABILITY",
        "a1 LOGIN {16+}\r\ntest@example.com {6+}\r\nsecret", "a2 NOOP");
  }

  @Test
  void withClientIdentityTheIdGoesOverTlsAfterTheNewCapabilitiesInTheLoginsWrite() throws Exception {
    startWith(new FakeTlsBackend(protocol(), FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.RSA, NAME))
        .withImapCapability("ID"), "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME + ";"
        + " proxy_client_identity on;");
    logInAndUse(proxy.port());
    // Nothing about the client goes out in clear: ID waits for TLS and the capabilities asked over it.
    assertThat(backend.receivedInClear()).containsExactly("mgS STARTTLS");
    List<String> overTls = backend.receivedOverTls();
    assertThat(overTls).hasSize(4);
    assertThat(overTls.get(0)).isEqualTo("mgC CAPABILITY");
    assertThat(overTls.get(1)).matches("mgI ID \\(\"x-originating-ip\" \"127\\.0\\.0\\.1\""
        + " \"x-originating-port\" \"\\d+\""
        + " \"x-connected-ip\" \"127\\.0\\.0\\.1\" \"x-connected-port\" \"" + proxy.port() + "\""
        + " \"x-session-id\" \"[0-9a-f]{16}\"\\)");
    assertThat(overTls.subList(2, 4)).containsExactly("a1 LOGIN {16+}\r\ntest@example.com {6+}\r\nsecret", "a2 NOOP");
  }

  @Test
  void aTls12SessionIsResumedOnTheNextLoginToTheSameBackend() throws Exception {
    startWith(new FakeTlsBackend(protocol(), FakeTlsBackend.Mode.IMPLICIT, pki.server(TestPki.KeyType.RSA, NAME))
        .tlsProtocols("TLSv1.2"), "proxy_ssl on; " + trusted() + " proxy_ssl_name " + NAME + ";");
    logInAndUse(proxy.port());
    logInAndUse(proxy.port());
    assertThat(backend.sessionCreationTimes()).hasSize(2);
    assertThat(backend.sessionCreationTimes().get(1)).isEqualTo(backend.sessionCreationTimes().get(0));
  }

  @Test
  void withProxySslSessionReuseOffEveryLoginHasAFullHandshake() throws Exception {
    startWith(new FakeTlsBackend(protocol(), FakeTlsBackend.Mode.IMPLICIT, pki.server(TestPki.KeyType.RSA, NAME))
        .tlsProtocols("TLSv1.2"), "proxy_ssl on; proxy_ssl_session_reuse off; " + trusted() + " proxy_ssl_name "
        + NAME + ";");
    logInAndUse(proxy.port());
    Thread.sleep(5);
    logInAndUse(proxy.port());
    assertThat(backend.sessionCreationTimes()).hasSize(2);
    assertThat(backend.sessionCreationTimes().get(1)).isNotEqualTo(backend.sessionCreationTimes().get(0));
  }

  @Test
  void proxySslCertificateIsPresentedToABackendThatDemandsMutualTls() throws Exception {
    TestPki.Pair client = pki.client("mailgate-client", "O=Mailgate", "CN=mailgate-proxy");
    startWith(new FakeTlsBackend(protocol(), FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.RSA, NAME))
        .requireClientCertificate(pki.ca().x509()), "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME
        + "; proxy_ssl_certificate " + client.certificate() + "; proxy_ssl_certificate_key " + client.key() + ";");
    logInAndUse(proxy.port());
    assertThat(backend.clientSubjects()).containsExactly("CN=mailgate-proxy,O=Mailgate");
    assertCredentialsOnlyOverTls();
  }
}
