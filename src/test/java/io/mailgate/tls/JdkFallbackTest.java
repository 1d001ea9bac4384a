package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.config.BackendTlsConfig;
import io.mailgate.config.TlsConfig;
import io.mailgate.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -Dmailgate.tls.provider=jdk}: the documented subset works, the rest is refused at start-up. */
class JdkFallbackTest {
  @TempDir
  static Path dir;
  static TestPki pki;
  static TestPki.Pair rsa;
  static TestPki.Pair ecdsa;

  @BeforeAll
  static void jdk() {
    System.setProperty(TlsProvider.PROPERTY, "jdk");
    pki = TestPki.create(dir);
    rsa = pki.server(TestPki.KeyType.RSA, "localhost");
    ecdsa = pki.server(TestPki.KeyType.ECDSA, "localhost");
  }

  @AfterAll
  static void boringSsl() {
    System.clearProperty(TlsProvider.PROPERTY);
  }

  private static TlsConfigBuilder builtin() {
    return new TlsConfigBuilder(rsa.config(), ecdsa.config()).cache(TlsConfig.SessionCache.Mode.BUILTIN);
  }

  @Test
  void theSupportedSubsetHandshakesWithKeyChoiceAlpnCiphersAndClientCertificates() throws Exception {
    TlsConfigBuilder config = builtin();
    config.verifyClient = TlsConfig.VerifyClient.OPTIONAL;
    config.clientCertificate = Optional.of(pki.ca().certificate());
    config.ciphers = "ECDHE+AESGCM";
    ServerTls tls = ServerTls.create(config.build(), "pop3");
    assertThat(tls.providerName()).isEqualTo("JDK");
    assertThat(tls.warnings()).contains("\"ssl_verify_client\": TLSv1.3 disabled with the JDK provider (its TLS 1.3 "
        + "handshake completes before the client certificate is read)");
    TestPki.Pair client = pki.client("jdk-client", "CN=jdk client");
    try (TlsTestServer server = new TlsTestServer(tls, false)) {
      assertThat(SClient.run(server.port(), "* OK tls", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-alpn", "pop3", "-cert",
          client.certificate().toString(), "-key", client.key().toString()))
          .contains("* OK tls").contains("Server public key is 256 bit").contains("ALPN protocol: pop3");
      ClientTlsInfo info = server.infos.poll(5, TimeUnit.SECONDS);
      assertThat(info.verification().text()).isEqualTo("SUCCESS");
      assertThat(info.subject()).contains("CN=jdk client");
      assertThat(info.protocol()).isEqualTo("TLSv1.2");
      assertThat(SClient.run(server.port(), "* OK tls", "-tls1_2", "-sigalgs", "RSA+SHA256")).contains("* OK tls")
          .contains("Server public key is 2048 bit");
      assertThat(server.infos.poll(5, TimeUnit.SECONDS).cipher()).isEqualTo("ECDHE-RSA-AES256-GCM-SHA384");
      assertThat(SClient.run(server.port(), "* OK tls", "-alpn", "imap")).doesNotContain("* OK tls");
    }
  }

  @Test
  void whatTheJdkCannotDoPerContextIsRefusedAtStartUp() throws Exception {
    TlsConfigBuilder off = builtin().cache(TlsConfig.SessionCache.Mode.OFF);
    assertThatThrownBy(() -> ServerTls.create(off.build(), "imap")).hasMessageStartingWith(
        "\"ssl_session_cache off\" is not supported by the JDK TLS provider");
    TlsConfigBuilder noTickets = builtin();
    noTickets.sessionTickets = false;
    assertThatThrownBy(() -> ServerTls.create(noTickets.build(), "imap")).hasMessageStartingWith(
        "\"ssl_session_tickets off\" is not supported by the JDK TLS provider");
    TlsConfigBuilder keys = builtin();
    keys.sessionTicketKeys = List.of(Files.write(dir.resolve("t.key"), new byte[48]));
    assertThatThrownBy(() -> ServerTls.create(keys.build(), "imap")).hasMessageStartingWith(
        "\"ssl_session_ticket_key\" is not supported by the JDK TLS provider");
    TlsConfigBuilder curves = builtin();
    curves.ecdhCurve = "prime256v1";
    assertThatThrownBy(() -> ServerTls.create(curves.build(), "imap")).hasMessageStartingWith(
        "\"ssl_ecdh_curve prime256v1\" is not supported by the JDK TLS provider");
    TlsConfigBuilder conf = builtin();
    conf.confCommands = List.of("Options -SessionTicket");
    assertThatThrownBy(() -> ServerTls.create(conf.build(), "imap")).hasMessageContaining("JDK has no SSL_CONF");
    assertThatThrownBy(() -> BackendTls.create(new BackendTlsConfig(BackendTlsConfig.Mode.ON, true, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of("TLSv1.3"), false)))
        .hasMessageStartingWith("\"proxy_ssl_session_reuse off\" is not supported by the JDK TLS provider");
  }

  @Test
  void cacheNoneIsApproximatedWithAWarningAndOldProtocolsAreDropped() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config());
    config.protocols = List.of("TLSv1", "TLSv1.2");
    assertThat(ServerTls.create(config.build(), "smtp").warnings()).containsExactlyInAnyOrder(
        "\"ssl_protocols\": TLSv1 is not supported by JDK, ignored",
        "\"ssl_session_cache none\" approximated: the JDK provider keeps its own session cache");
  }
}
