package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.auth.AuthRequest;
import io.mailgate.config.TlsConfig;
import io.mailgate.testkit.TestPki;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mail_imap_ssl.t's scenarios: each ssl_verify_client mode, the result and nginx's Auth-SSL-* headers. */
class ClientVerificationTest {
  private static final String GREETING = "* OK tls";
  @TempDir
  static Path dir;
  static TestPki pki;
  static TestPki.Pair server;
  static TestPki.Pair good;
  static TestPki.Pair selfSigned;
  static TestPki trustedOnly;

  @BeforeAll
  static void pki() {
    pki = TestPki.create(dir);
    server = pki.server(TestPki.KeyType.RSA, "localhost");
    good = pki.client("good", "O=Example", "CN=alice", "emailAddress=alice@example.com");
    selfSigned = pki.selfSigned("1.example.com", "1.example.com");
    trustedOnly = TestPki.create(dir, "Trusted Only CA");
  }

  private static TlsConfigBuilder config(TlsConfig.VerifyClient mode) {
    TlsConfigBuilder config = new TlsConfigBuilder(server.config());
    config.verifyClient = mode;
    config.clientCertificate = Optional.of(pki.ca().certificate());
    return config;
  }

  private static ClientTlsInfo handshake(TlsConfigBuilder config, TestPki.Pair client) throws Exception {
    try (TlsTestServer tls = new TlsTestServer(ServerTls.create(config.build(), "imap"), false)) {
      String out = client == null
          ? SClient.run(tls.port(), GREETING)
          : SClient.run(tls.port(), GREETING, "-cert", client.certificate().toString(), "-key", client.key().toString());
      assertThat(out).contains(GREETING);
      return tls.infos.poll(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void verifyOnWithoutACertificateCompletesTheHandshakeAndAsksForTheNoCertReply() throws Exception {
    ClientTlsInfo info = handshake(config(TlsConfig.VerifyClient.ON), null);
    assertThat(info.verification()).isEqualTo(new Verification.None());
    assertThat(info.check(TlsConfig.VerifyClient.ON)).isEqualTo(ClientTlsInfo.CertificateCheck.NO_REQUIRED_CERTIFICATE);
    assertThat(info.check(TlsConfig.VerifyClient.OPTIONAL)).isEqualTo(ClientTlsInfo.CertificateCheck.ACCEPTED);
    assertThat(info.authHeaders(TlsConfig.VerifyClient.ON, true)).extracting(AuthRequest.Header::name)
        .containsExactly("Auth-SSL", "Auth-SSL-Protocol", "Auth-SSL-Cipher", "Auth-SSL-Verify");
  }

  @Test
  void aGoodCertificateGivesSuccessAndEveryHeaderInNginxsOrderAndFormat() throws Exception {
    ClientTlsInfo info = handshake(config(TlsConfig.VerifyClient.OPTIONAL), good);
    assertThat(info.check(TlsConfig.VerifyClient.OPTIONAL)).isEqualTo(ClientTlsInfo.CertificateCheck.ACCEPTED);
    String serial = good.x509().getSerialNumber().toString(16).toUpperCase();
    assertThat(info.authHeaders(TlsConfig.VerifyClient.OPTIONAL, true)).containsExactly(
        new AuthRequest.Header("Auth-SSL", "on"),
        new AuthRequest.Header("Auth-SSL-Protocol", "TLSv1.3"),
        new AuthRequest.Header("Auth-SSL-Cipher", info.cipher()),
        new AuthRequest.Header("Auth-SSL-Verify", "SUCCESS"),
        new AuthRequest.Header("Auth-SSL-Subject", "emailAddress=alice@example.com,CN=alice,O=Example"),
        new AuthRequest.Header("Auth-SSL-Issuer", "CN=Mailgate Test CA,O=Mailgate"),
        new AuthRequest.Header("Auth-SSL-Serial", serial.length() % 2 == 0 ? serial : "0" + serial),
        new AuthRequest.Header("Auth-SSL-Fingerprint", OpenSslFormat.fingerprint(good.x509())),
        new AuthRequest.Header("Auth-SSL-Cert", ClientTlsInfo.escape(OpenSslFormat.pem(good.x509()))));
    assertThat(info.cipher()).matches("TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)");
    assertThat(info.authHeaders(TlsConfig.VerifyClient.OPTIONAL, true).get(8).value())
        .startsWith("-----BEGIN%20CERTIFICATE-----%0A").endsWith("-----END%20CERTIFICATE-----%0A")
        .doesNotContain(" ", "\n");
    assertThat(info.authHeaders(TlsConfig.VerifyClient.OFF, true)).hasSize(3);
    assertThat(info.authHeaders(TlsConfig.VerifyClient.OPTIONAL, false)).hasSize(8);
  }

  @Test
  void aCertificateFromTheTrustedButUnrequestedCaIsAcceptedAndItsCaIsNotNamedInTheRequest() throws Exception {
    TlsConfigBuilder config = config(TlsConfig.VerifyClient.OPTIONAL);
    config.trustedCertificate = Optional.of(trustedOnly.ca().certificate());
    TestPki.Pair client = trustedOnly.client("trusted-client", "CN=3.example.com");
    try (TlsTestServer tls = new TlsTestServer(ServerTls.create(config.build(), "imap"), false)) {
      String out = SClient.run(tls.port(), GREETING, "-cert", client.certificate().toString(), "-key",
          client.key().toString());
      assertThat(out).contains("Acceptable client certificate CA names\nO = Mailgate, CN = Mailgate Test CA\n")
          .doesNotContain("Trusted Only CA");
      assertThat(tls.infos.poll(5, TimeUnit.SECONDS).verification().text()).isEqualTo("SUCCESS");
    }
  }

  @Test
  void optionalWithASelfSignedCertificateIsACertificateErrorButOptionalNoCaLetsItThrough() throws Exception {
    ClientTlsInfo optional = handshake(config(TlsConfig.VerifyClient.OPTIONAL), selfSigned);
    assertThat(optional.verification().text()).isEqualTo("FAILED:self-signed certificate");
    assertThat(optional.check(TlsConfig.VerifyClient.OPTIONAL))
        .isEqualTo(ClientTlsInfo.CertificateCheck.CERTIFICATE_ERROR);
    ClientTlsInfo noCa = handshake(config(TlsConfig.VerifyClient.OPTIONAL_NO_CA), selfSigned);
    assertThat(noCa.check(TlsConfig.VerifyClient.OPTIONAL_NO_CA)).isEqualTo(ClientTlsInfo.CertificateCheck.ACCEPTED);
    assertThat(noCa.authHeaders(TlsConfig.VerifyClient.OPTIONAL_NO_CA, false)).contains(
        new AuthRequest.Header("Auth-SSL-Verify", "FAILED:self-signed certificate"),
        new AuthRequest.Header("Auth-SSL-Subject", "CN=1.example.com"),
        new AuthRequest.Header("Auth-SSL-Issuer", "CN=1.example.com"));
  }

  @Test
  void optionalNoCaWorksWithoutAnyCaFile() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(server.config());
    config.verifyClient = TlsConfig.VerifyClient.OPTIONAL_NO_CA;
    ClientTlsInfo info = handshake(config, good);
    assertThat(info.verification().text()).isEqualTo("FAILED:unable to get local issuer certificate");
    assertThat(info.check(TlsConfig.VerifyClient.OPTIONAL_NO_CA)).isEqualTo(ClientTlsInfo.CertificateCheck.ACCEPTED);
  }

  @Test
  void expiredAndRevokedCertificatesAreCertificateErrorsEvenForOptionalNoCa() throws Exception {
    TestPki.Pair expired = pki.expiredClient("expired", "expired");
    TestPki.Pair revoked = pki.revokedClient("revoked", "revoked");
    TlsConfigBuilder config = config(TlsConfig.VerifyClient.OPTIONAL_NO_CA);
    config.crl = Optional.of(pki.crl());
    ClientTlsInfo expiredInfo = handshake(config, expired);
    ClientTlsInfo revokedInfo = handshake(config, revoked);
    assertThat(expiredInfo.verification().text()).isEqualTo("FAILED:certificate has expired");
    assertThat(revokedInfo.verification().text()).isEqualTo("FAILED:certificate revoked");
    assertThat(expiredInfo.check(TlsConfig.VerifyClient.OPTIONAL_NO_CA))
        .isEqualTo(ClientTlsInfo.CertificateCheck.CERTIFICATE_ERROR);
    assertThat(revokedInfo.check(TlsConfig.VerifyClient.OPTIONAL_NO_CA))
        .isEqualTo(ClientTlsInfo.CertificateCheck.CERTIFICATE_ERROR);
    assertThat(handshake(config, good).verification().text()).isEqualTo("SUCCESS");
  }

  @Test
  void aResumedSessionReportsTheSameClientCertificateResult() throws Exception {
    TlsConfigBuilder config = config(TlsConfig.VerifyClient.OPTIONAL);
    Path session = dir.resolve("client-session.pem");
    try (TlsTestServer tls = new TlsTestServer(ServerTls.create(config.build(), "imap"), false)) {
      String[] cert = {"-cert", good.certificate().toString(), "-key", good.key().toString()};
      SClient.run(tls.port(), GREETING, cert[0], cert[1], cert[2], cert[3], "-sess_out", session.toString());
      String second = SClient.run(tls.port(), GREETING, cert[0], cert[1], cert[2], cert[3], "-sess_in",
          session.toString());
      assertThat(second).contains("Reused, ");
      tls.infos.poll(5, TimeUnit.SECONDS);
      ClientTlsInfo resumed = tls.infos.poll(5, TimeUnit.SECONDS);
      assertThat(resumed.verification().text()).isEqualTo("SUCCESS");
      assertThat(resumed.subject()).contains("emailAddress=alice@example.com,CN=alice,O=Example");
    }
  }

  @Test
  void theCertificateEscapeIsNginxsMailAuthEscape() {
    assertThat(ClientTlsInfo.escape("a b%c\td\n\u001f~")).isEqualTo("a%20b%25c%09d%0A%1F~");
  }
}
