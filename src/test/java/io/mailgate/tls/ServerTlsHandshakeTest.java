package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.TlsConfig;
import io.mailgate.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsHandshakeTest {
  private static final String GREETING = "* OK tls";
  @TempDir
  static Path dir;
  static TestPki pki;
  static TestPki.Pair rsa;
  static TestPki.Pair ecdsa;
  static TestPki.Pair sniA;

  @BeforeAll
  static void pki() {
    pki = TestPki.create(dir);
    rsa = pki.server(TestPki.KeyType.RSA, "localhost");
    ecdsa = pki.server(TestPki.KeyType.ECDSA, "localhost");
    sniA = pki.server(TestPki.KeyType.RSA, "a.example.com");
  }

  @Test
  void anEcdsaCapableClientGetsTheEcdsaPairAndAnRsaOnlyClientTheRsaPair() throws Exception {
    ServerTls tls = ServerTls.create(new TlsConfigBuilder(rsa.config(), ecdsa.config()).build(), "imap");
    try (TlsTestServer server = new TlsTestServer(tls, false)) {
      String ec = SClient.run(server.port(), GREETING, "-sigalgs", "ECDSA+SHA256");
      String rsaOnly = SClient.run(server.port(), GREETING, "-sigalgs", "RSA-PSS+SHA256:RSA+SHA256");
      String tls12Rsa = SClient.run(server.port(), GREETING, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
      assertThat(ec).contains(GREETING).contains("Server public key is 256 bit");
      assertThat(rsaOnly).contains(GREETING).contains("Server public key is 2048 bit");
      assertThat(tls12Rsa).contains(GREETING).contains("Server public key is 2048 bit");
      assertThat(SClient.run(server.port(), GREETING, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"))
          .contains(GREETING).contains("Server public key is 256 bit");
      assertThat(server.infos.poll(5, TimeUnit.SECONDS).protocol()).isEqualTo("TLSv1.3");
    }
    assertThat(tls.providerName()).isEqualTo("BoringSSL");
  }

  @Test
  void keysAreHandedToTheTlsLibraryOnceAndNoFileIsReadPerConnection() throws Exception {
    Path dir2 = Files.createDirectories(dir.resolve("copy"));
    Path cert = Files.copy(rsa.certificate(), dir2.resolve("c.crt"));
    Path key = Files.copy(rsa.key(), dir2.resolve("c.key"));
    ServerTls tls = ServerTls.create(new TlsConfigBuilder(new TlsConfig.CertificatePair(cert, key)).build(), "pop3");
    Files.delete(cert);
    Files.delete(key);
    try (TlsTestServer server = new TlsTestServer(tls, false)) {
      for (int i = 0; i < 3; i++) {
        assertThat(SClient.run(server.port(), GREETING)).contains(GREETING);
      }
    }
    assertThat(tls.keyManagers()).singleElement().satisfies(km -> assertThat(km.keyReads()).isEqualTo(1));
  }

  @Test
  void anEncryptedTraditionalKeyIsDecryptedWithTheSecondLineOfThePasswordFile() throws Exception {
    Path encrypted = pki.encryptedTraditionalKey(rsa, "s3cret");
    TlsConfigBuilder config = new TlsConfigBuilder(new TlsConfig.CertificatePair(rsa.certificate(), encrypted));
    config.passwordFile = java.util.Optional.of(pki.passwordFile("pw", "wrong", "s3cret"));
    try (TlsTestServer server = new TlsTestServer(ServerTls.create(config.build(), "smtp"), false)) {
      assertThat(SClient.run(server.port(), GREETING)).contains(GREETING);
    }
  }

  @Test
  void theConfiguredProtocolsAreTheOnlyOnesAcceptedAndOldOnesAreDroppedWithAWarning() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.protocols = List.of("SSLv3", "TLSv1.2");
    ServerTls tls = ServerTls.create(config.build(), "imap");
    assertThat(tls.warnings()).containsExactly("\"ssl_protocols\": SSLv3 is not supported by BoringSSL, ignored");
    try (TlsTestServer server = new TlsTestServer(tls, false)) {
      assertThat(SClient.run(server.port(), GREETING, "-tls1_3")).doesNotContain(GREETING);
      assertThat(SClient.run(server.port(), GREETING, "-tls1_2")).contains(GREETING);
      ClientTlsInfo info = server.infos.poll(5, TimeUnit.SECONDS);
      assertThat(info.protocol()).isEqualTo("TLSv1.2");
      assertThat(info.cipher()).isEqualTo("ECDHE-RSA-AES256-GCM-SHA384");
    }
  }

  @Test
  void anOpenSslCipherStringSelectsTheTls12SuitesAndTheCipherIsReportedByItsOpenSslName() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.ciphers = "AES128-SHA:ECDHE+CHACHA20";
    try (TlsTestServer server = new TlsTestServer(ServerTls.create(config.build(), "imap"), false)) {
      assertThat(SClient.run(server.port(), GREETING, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"))
          .doesNotContain(GREETING);
      assertThat(SClient.run(server.port(), GREETING, "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"))
          .contains(GREETING);
      assertThat(server.infos.poll(5, TimeUnit.SECONDS).cipher()).isEqualTo("ECDHE-RSA-CHACHA20-POLY1305");
      assertThat(SClient.run(server.port(), GREETING, "-tls1_3")).contains(GREETING);
      assertThat(server.infos.poll(5, TimeUnit.SECONDS).cipher()).startsWith("TLS_").contains("_SHA");
    }
  }

  @Test
  void preferServerCiphersDecidesWhoseOrderWins() throws Exception {
    for (boolean prefer : new boolean[] {true, false}) {
      TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
      config.ciphers = "AES128-SHA:AES256-SHA";
      config.preferServerCiphers = prefer;
      try (TlsTestServer server = new TlsTestServer(ServerTls.create(config.build(), "imap"), false)) {
        assertThat(SClient.run(server.port(), GREETING, "-tls1_2", "-cipher", "AES256-SHA:AES128-SHA"))
            .contains(GREETING);
        assertThat(server.infos.poll(5, TimeUnit.SECONDS).cipher()).isEqualTo(prefer ? "AES128-SHA" : "AES256-SHA");
      }
    }
  }

  @Test
  void alpnWithOurProtocolIsNegotiatedWithoutItTheClientGetsNoGreeting() throws Exception {
    try (TlsTestServer server = new TlsTestServer(ServerTls.create(new TlsConfigBuilder(rsa.config()).build(),
        "imap"), false)) {
      assertThat(SClient.run(server.port(), GREETING, "-alpn", "imap")).contains(GREETING)
          .contains("ALPN protocol: imap");
      assertThat(SClient.run(server.port(), GREETING, "-alpn", "unknown")).doesNotContain(GREETING);
      assertThat(SClient.run(server.port(), GREETING)).contains(GREETING).contains("No ALPN negotiated");
      assertThat(server.infos).hasSize(2);
    }
  }

  @Test
  void sniChoosesTheNamedPairAndAnyOtherNameGetsTheDefault() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.sniCertificates.put("a.example.com", sniA.config());
    try (TlsTestServer server = new TlsTestServer(ServerTls.create(config.build(), "imap"), false)) {
      assertThat(SClient.run(server.port(), GREETING, "-servername", "a.example.com"))
          .contains(GREETING).contains("subject=CN = a.example.com");
      assertThat(SClient.run(server.port(), GREETING, "-servername", "b.example.com"))
          .contains(GREETING).contains("subject=CN = localhost");
      assertThat(SClient.run(server.port(), GREETING, "-noservername")).contains("subject=CN = localhost");
    }
  }

  @Test
  void aStartTlsReplyGoesOutInClearAndTheSessionContinuesInTls() throws Exception {
    try (TlsTestServer server = new TlsTestServer(ServerTls.create(new TlsConfigBuilder(rsa.config()).build(),
        "imap"), true)) {
      String out = SClient.run(server.port(), GREETING, "-starttls", "imap");
      assertThat(out).contains(GREETING).contains("subject=CN = localhost");
      assertThat(server.infos.poll(5, TimeUnit.SECONDS).protocol()).isEqualTo("TLSv1.3");
    }
  }
}
