package io.mailgate.it;

import static io.mailgate.testkit.TlsProxyFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsProxyTestBase;
import io.mailgate.testkit.TlsTestFiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * IMAPS, POP3S and SMTPS ({@code listen ... ssl}) end to end: the greeting waits for the handshake, the login goes
 * through the auth service with {@code Auth-SSL}, {@code Auth-SSL-Protocol} and {@code Auth-SSL-Cipher} (OpenSSL
 * names), the session is relayed inside TLS; RSA and ECDSA pairs on one server, an encrypted key, and clients that
 * never finish a handshake.
 */
class ImplicitTlsIT extends TlsProxyTestBase {

  @Test
  void imapsGreetsAfterTheHandshakeLogsInAndSendsTheSessionsProtocolAndCipher() throws Exception {
    int port = startImplicitServer("imap", "starttls on;");
    String protocol;
    String cipher;
    try (TlsLineClient c = TlsLineClient.implicit(port, FILES.client())) {
      protocol = c.session().getProtocol();
      cipher = c.session().getCipherSuite();
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
      // nginx: once the connection is TLS there is no STARTTLS to offer, whatever "starttls" says.
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a2 BAD invalid command");
      c.send("a3 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a3 OK LOGIN completed");
      c.send("a4 SELECT INBOX");
      assertThat(c.readLine()).isEqualTo("a4 OK SELECT completed");
    }
    assertThat(protocol).isEqualTo("TLSv1.3");
    FakeAuthServer.Request request = fx.onlyAuthRequest();
    assertThat(request.header("Auth-SSL")).isEqualTo("on");
    assertThat(request.header("Auth-SSL-Protocol")).isEqualTo("TLSv1.3");
    // TLS 1.3 suites have the same name in OpenSSL and IANA.
    assertThat(request.header("Auth-SSL-Cipher")).isEqualTo(cipher).startsWith("TLS_");
    assertThat(request.header("Auth-SSL-Verify")).as("ssl_verify_client off sends no verify header").isNull();
    assertThat(request.header("Auth-SSL-Subject")).isNull();
    assertThat(request.header("Auth-SSL-Cert")).isNull();
  }

  @Test
  void aTls12CipherReachesTheAuthServiceByItsOpenSslName() throws Exception {
    int port = startImplicitServer("imap", "");
    try (TlsLineClient c = TlsLineClient.implicit(port, FILES.client().protocols("TLSv1.2")
        .cipherSuites("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))) {
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
      c.send("a1 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    FakeAuthServer.Request request = fx.onlyAuthRequest();
    assertThat(request.header("Auth-SSL-Protocol")).isEqualTo("TLSv1.2");
    assertThat(request.header("Auth-SSL-Cipher")).isEqualTo("ECDHE-RSA-AES256-GCM-SHA384");
  }

  @Test
  void pop3sLogsInWithUserAndPassAndRelaysTheMaildrop() throws Exception {
    int port = startImplicitServer("pop3", "");
    try (TlsLineClient c = TlsLineClient.implicit(port, FILES.client())) {
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.POP3_GREETING);
      c.send("USER " + USER);
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
      c.send("STAT");
      assertThat(c.readLine()).isEqualTo("+OK 1 " + FakePop3Backend.MESSAGE.length());
    }
    FakeAuthServer.Request request = fx.onlyAuthRequest();
    assertThat(request.header("Auth-Protocol")).isEqualTo("pop3");
    assertThat(request.header("Auth-SSL")).isEqualTo("on");
    assertThat(request.header("Auth-SSL-Protocol")).isEqualTo("TLSv1.3");
  }

  @Test
  void smtpsAuthenticatesAndRelaysTheEnvelope() throws Exception {
    int port = startImplicitServer("smtp", "");
    try (TlsLineClient c = TlsLineClient.implicit(port, FILES.client())) {
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.SMTP_GREETING);
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 AUTH PLAIN LOGIN");
      c.send("AUTH PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("235 2.0.0 OK");
      c.send("MAIL FROM:<a@example.com>");
      assertThat(c.readLine()).isEqualTo("250 2.1.0 Ok");
    }
    FakeAuthServer.Request request = fx.onlyAuthRequest();
    assertThat(request.header("Auth-Protocol")).isEqualTo("smtp");
    assertThat(request.header("Auth-SSL")).isEqualTo("on");
    assertThat(fx.smtp.received()).contains("MAIL FROM:<a@example.com>");
  }

  @Test
  void withAnRsaAndAnEcdsaPairEachClientGetsThePairItsCipherNeeds() throws Exception {
    int port = fx.server("imap", true, CERTIFICATE + TlsTestFiles.certificate(FILES.serverEcdsa));
    fx.start("");
    try (TlsLineClient ec = TlsLineClient.implicit(port, FILES.client().protocols("TLSv1.2")
        .cipherSuites("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        TlsLineClient rsa = TlsLineClient.implicit(port, FILES.client().protocols("TLSv1.2")
            .cipherSuites("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))) {
      assertThat(ec.serverCertificate()).isEqualTo(FILES.serverEcdsa.x509());
      assertThat(rsa.serverCertificate()).isEqualTo(FILES.serverRsa.x509());
      assertThat(ec.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
      assertThat(rsa.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
    }
  }

  @Test
  void anEncryptedKeyIsOpenedWithTheLineOfThePasswordFileThatFits() throws Exception {
    int port = fx.server("pop3", true, "ssl_certificate " + FILES.serverRsa.certificate() + "; ssl_certificate_key "
        + FILES.encryptedKey + "; ssl_password_file " + FILES.passwordFile + ";");
    fx.start("");
    try (TlsLineClient c = TlsLineClient.implicit(port, FILES.client())) {
      assertThat(c.serverCertificate()).isEqualTo(FILES.serverRsa.x509());
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.POP3_GREETING);
    }
  }

  @Test
  void aClientThatNeverHandshakesIsClosedAfterTheTimeoutWithoutAGreeting() throws Exception {
    int port = startImplicitServer("imap", "timeout 1s;");
    try (TlsLineClient c = TlsLineClient.plain(port)) {
      long started = System.nanoTime();
      assertThat(c.readToEnd(4000)).isEmpty();
      assertThat((System.nanoTime() - started) / 1_000_000).isBetween(800L, 4000L);
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void aCleartextCommandOnTheTlsPortIsNeverAnsweredInClear() throws Exception {
    int port = startImplicitServer("smtp", "");
    try (LogCapture log = LogCapture.onRootAtDebug(); TlsLineClient c = TlsLineClient.plain(port)) {
      c.send("EHLO client.test");
      String whatCame = new String(c.readToEnd(4000), StandardCharsets.ISO_8859_1);
      assertThat(whatCame).doesNotContain("220").doesNotContain("250").doesNotContain("mx.test");
      // A client mistake: one info line, not Netty's "exception reached the tail of the pipeline" warning.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(log.text()).contains("SSL handshake failed (not an SSL/TLS record)"));
      assertThat(log.text()).doesNotContain("reached at the tail of the pipeline").doesNotContain("unexpected error");
    }
    assertThat(fx.authRequests()).isEmpty();
  }
}
