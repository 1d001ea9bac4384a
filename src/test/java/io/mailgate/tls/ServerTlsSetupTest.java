package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.config.TlsConfig;
import io.mailgate.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up refusals and warnings, with nginx-like texts. */
class ServerTlsSetupTest {
  @TempDir
  static Path dir;
  static TestPki pki;
  static TestPki.Pair rsa;

  @BeforeAll
  static void pki() {
    pki = TestPki.create(dir);
    rsa = pki.server(TestPki.KeyType.RSA, "localhost");
  }

  @Test
  void sslConfCommandIsRefusedBecauseBoringSslHasNoSslConf() {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.confCommands = List.of("Options PrioritizeChaCha");
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap")).isInstanceOf(TlsSetupException.class)
        .hasMessage("\"ssl_conf_command\" is not supported: SSL_CONF_cmd() is not available on this platform "
            + "(BoringSSL has no SSL_CONF)");
  }

  @Test
  void aMissingCertificateFileIsNamed() {
    TlsConfigBuilder config = new TlsConfigBuilder(new TlsConfig.CertificatePair(dir.resolve("nope.crt"), rsa.key()));
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessage("cannot load certificate \"" + dir.resolve("nope.crt") + "\": No such file or directory");
  }

  @Test
  void aWrongPasswordNamesTheKeyFileButNeverThePassword() {
    Path encrypted = pki.encryptedTraditionalKey(rsa, "right-one");
    TlsConfigBuilder config = new TlsConfigBuilder(new TlsConfig.CertificatePair(rsa.certificate(), encrypted));
    config.passwordFile = Optional.of(pki.passwordFile("bad-pw", "wrong-one", "also-wrong"));
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessageStartingWith("cannot load certificate key \"" + encrypted + "\": PEM_read_bio_PrivateKey() failed")
        .hasMessageNotContaining("wrong-one").hasMessageNotContaining("right-one");
    config.passwordFile = Optional.empty();
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessageContaining("encrypted key and no ssl_password_file");
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsRefused() {
    TestPki.Pair other = pki.server(TestPki.KeyType.RSA, "other");
    TlsConfigBuilder config = new TlsConfigBuilder(new TlsConfig.CertificatePair(rsa.certificate(), other.key()));
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessage("SSL_CTX_use_PrivateKey(\"" + other.key() + "\") failed: key values mismatch");
  }

  @Test
  void verifyClientNeedsAClientCertificateExceptOptionalNoCa() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.verifyClient = TlsConfig.VerifyClient.ON;
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessage("no ssl_client_certificate for ssl_verify_client");
    config.verifyClient = TlsConfig.VerifyClient.OPTIONAL_NO_CA;
    assertThat(ServerTls.create(config.build(), "imap").providerName()).isEqualTo("BoringSSL");
  }

  @Test
  void aTicketKeyFileOfTheWrongSizeIsRefused() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    Path key = Files.write(dir.resolve("ticket.key"), new byte[32]);
    config.sessionTicketKeys = List.of(key);
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessage("\"" + key + "\" must be 48 or 80 bytes");
  }

  @Test
  void aCipherStringMatchingNothingIsRefusedLikeOpenSsl() {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.ciphers = "eNULL";
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessage("SSL_CTX_set_cipher_list(\"eNULL\") failed (no cipher match)");
  }

  @Test
  void dhparamIsAcceptedWithAWarningAndCurvesAreGivenToBoringSsl() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.dhparam = Optional.of(dir.resolve("dhparam.pem"));
    config.ecdhCurve = "X25519:prime256v1";
    ServerTls tls = ServerTls.create(config.build(), "imap");
    assertThat(tls.warnings()).containsExactly(
        "\"ssl_dhparam\" " + dir.resolve("dhparam.pem") + " ignored: BoringSSL has no DHE cipher suites");
    try (TlsTestServer server = new TlsTestServer(tls, false)) {
      assertThat(SClient.run(server.port(), "* OK tls", "-groups", "P-256")).contains("* OK tls")
          .contains("Server Temp Key: ECDH, prime256v1");
      assertThat(SClient.run(server.port(), "* OK tls", "-groups", "P-384")).doesNotContain("* OK tls");
    }
    config.ecdhCurve = "nosuchcurve";
    assertThatThrownBy(() -> ServerTls.create(config.build(), "imap"))
        .hasMessageStartingWith("SSL_CTX_set1_curves_list(\"nosuchcurve\") failed");
  }

  @Test
  void onlyMailProtocolsAreValidAlpnNames() {
    assertThatThrownBy(() -> ServerTls.create(new TlsConfigBuilder(rsa.config()).build(), "http/1.1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
