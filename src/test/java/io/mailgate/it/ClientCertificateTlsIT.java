package io.mailgate.it;

import static io.mailgate.testkit.TlsProxyFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.TestPki;
import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsProxyTestBase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@code ssl_verify_client on}, {@code optional} and {@code optional_no_ca} end to end, as nginx's mail_imap_ssl.t
 * checks them and more: a missing or bad certificate completes the handshake, then gets the protocol's reply and a
 * close (implicit TLS and STARTTLS alike); an accepted one reaches the auth service as {@code Auth-SSL-Verify},
 * {@code -Subject}, {@code -Issuer}, {@code -Serial}, {@code -Fingerprint} and, with
 * {@code auth_http_pass_client_cert on}, {@code Auth-SSL-Cert}; SASL EXTERNAL sends them along.
 */
class ClientCertificateTlsIT extends TlsProxyTestBase {

  private static final String VERIFY_ON = "ssl_verify_client on; ssl_client_certificate " + CA + "; ssl_crl "
      + FILES.crl + ";";
  private static final String MAIL = CERTIFICATE + " auth_http_pass_client_cert on;";
  private static final String ALICE_SUBJECT = "CN=alice,O=Example";
  private static final String TEST_CA = "CN=Mailgate Test CA,O=Mailgate";

  private static TlsClientOptions presenting(TestPki.Pair pair) {
    return FILES.client().clientCertificate(pair);
  }

  /** Connects with implicit TLS and expects {@code reply} right after the handshake, then the close. */
  private void assertRefused(int port, TlsClientOptions client, String reply) throws Exception {
    try (TlsLineClient c = TlsLineClient.implicit(port, client)) {
      assertThat(c.readLine()).isEqualTo(reply);
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  /** Connects with implicit IMAP TLS, logs in with LOGIN and returns what the auth service was sent. */
  private FakeAuthServer.Request imapLogin(int port, TlsClientOptions client) throws Exception {
    try (TlsLineClient c = TlsLineClient.implicit(port, client)) {
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
      c.send("a1 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
    return fx.onlyAuthRequest();
  }

  /** OpenSSL's i2a_ASN1_INTEGER: the serial's bytes in upper-case hex. */
  private static String serial(X509Certificate cert) {
    byte[] bytes = cert.getSerialNumber().toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }

  private static String sha1(X509Certificate cert) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
  }

  /** PEM as PEM_write_bio_X509 writes it, then nginx's mail auth escape (space and LF as %20 and %0A). */
  private static String escapedPem(X509Certificate cert) throws Exception {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded());
    String pem = "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    return pem.replace(" ", "%20").replace("\n", "%0A");
  }

  @Test
  void verifyOnWithoutACertificateCompletesTheHandshakeThenSaysByeInEachProtocol() throws Exception {
    int imap = fx.server("imap", true, VERIFY_ON);
    int pop3 = fx.server("pop3", true, VERIFY_ON);
    int smtp = fx.server("smtp", true, VERIFY_ON);
    fx.start(MAIL);
    assertRefused(imap, FILES.client(), "* BYE No required SSL certificate");
    assertRefused(pop3, FILES.client(), "-ERR No required SSL certificate");
    assertRefused(smtp, FILES.client(), "421 4.7.1 No required SSL certificate");
  }

  @Test
  void verifyOnWithAnExpiredARevokedOrASelfSignedCertificateIsACertificateErrorInEachProtocol() throws Exception {
    int imap = fx.server("imap", true, VERIFY_ON);
    int pop3 = fx.server("pop3", true, VERIFY_ON);
    int smtp = fx.server("smtp", true, VERIFY_ON);
    fx.start(MAIL);
    assertRefused(imap, presenting(FILES.expired), "* BYE SSL certificate error");
    assertRefused(imap, presenting(FILES.revoked), "* BYE SSL certificate error");
    assertRefused(imap, presenting(FILES.selfSigned), "* BYE SSL certificate error");
    assertRefused(pop3, presenting(FILES.revoked), "-ERR SSL certificate error");
    assertRefused(smtp, presenting(FILES.expired), "421 4.7.1 SSL certificate error");
  }

  @Test
  void verifyOnWithAGoodCertificateSendsEveryCertificateHeader() throws Exception {
    int port = fx.server("imap", true, VERIFY_ON);
    fx.start(MAIL);
    FakeAuthServer.Request request = imapLogin(port, presenting(FILES.alice));
    X509Certificate alice = FILES.alice.x509();
    assertThat(request.header("Auth-SSL")).isEqualTo("on");
    assertThat(request.header("Auth-SSL-Verify")).isEqualTo("SUCCESS");
    assertThat(request.header("Auth-SSL-Subject")).isEqualTo(ALICE_SUBJECT);
    assertThat(request.header("Auth-SSL-Issuer")).isEqualTo(TEST_CA);
    assertThat(request.header("Auth-SSL-Serial")).isEqualTo(serial(alice));
    assertThat(request.header("Auth-SSL-Fingerprint")).isEqualTo(sha1(alice)).hasSize(40);
    // FakeAuthServer trims the value; the escaped PEM's trailing LF is "%0A" and survives.
    assertThat(request.header("Auth-SSL-Cert")).isEqualTo(escapedPem(alice));
  }

  @Test
  void withoutAuthHttpPassClientCertTheCertificateItselfIsNotSent() throws Exception {
    int port = fx.server("imap", true, VERIFY_ON + " auth_http_pass_client_cert off;");
    fx.start(MAIL);
    FakeAuthServer.Request request = imapLogin(port, presenting(FILES.alice));
    assertThat(request.header("Auth-SSL-Verify")).isEqualTo("SUCCESS");
    assertThat(request.header("Auth-SSL-Subject")).isEqualTo(ALICE_SUBJECT);
    assertThat(request.header("Auth-SSL-Cert")).isNull();
  }

  @Test
  void optionalWithoutACertificateGoesOnAndSaysNone() throws Exception {
    int port = fx.server("imap", true, "ssl_verify_client optional; ssl_client_certificate " + CA + ";");
    fx.start(MAIL);
    FakeAuthServer.Request request = imapLogin(port, FILES.client());
    assertThat(request.header("Auth-SSL-Verify")).isEqualTo("NONE");
    assertThat(request.header("Auth-SSL-Subject")).isNull();
    assertThat(request.header("Auth-SSL-Issuer")).isNull();
    assertThat(request.header("Auth-SSL-Serial")).isNull();
    assertThat(request.header("Auth-SSL-Fingerprint")).isNull();
    assertThat(request.header("Auth-SSL-Cert")).isNull();
  }

  @Test
  void optionalAcceptsACertificateFromATrustedButUnrequestedCa() throws Exception {
    int port = fx.server("imap", true, "ssl_verify_client optional; ssl_client_certificate " + CA
        + "; ssl_trusted_certificate " + FILES.otherPki.ca().certificate() + ";");
    fx.start(MAIL);
    FakeAuthServer.Request request = imapLogin(port, presenting(FILES.bob));
    assertThat(request.header("Auth-SSL-Verify")).isEqualTo("SUCCESS");
    assertThat(request.header("Auth-SSL-Subject")).isEqualTo("CN=bob");
    assertThat(request.header("Auth-SSL-Issuer")).isEqualTo("CN=Other Trusted CA,O=Mailgate");
  }

  @Test
  void optionalRefusesASelfSignedCertificate() throws Exception {
    int port = fx.server("imap", true, "ssl_verify_client optional; ssl_client_certificate " + CA + ";");
    fx.start(MAIL);
    assertRefused(port, presenting(FILES.selfSigned), "* BYE SSL certificate error");
  }

  @Test
  void optionalNoCaLetsASelfSignedCertificateThroughAndTellsTheAuthServiceWhyItFailed() throws Exception {
    int port = fx.server("imap", true, "ssl_verify_client optional_no_ca; ssl_client_certificate " + CA + ";");
    fx.start(MAIL);
    FakeAuthServer.Request request = imapLogin(port, presenting(FILES.selfSigned));
    assertThat(request.header("Auth-SSL-Verify")).isEqualTo("FAILED:self-signed certificate");
    assertThat(request.header("Auth-SSL-Subject")).isEqualTo("CN=selfie");
    assertThat(request.header("Auth-SSL-Issuer")).isEqualTo("CN=selfie");
    assertThat(request.header("Auth-SSL-Cert")).isEqualTo(escapedPem(FILES.selfSigned.x509()));
  }

  @Test
  void optionalNoCaStillRefusesAnExpiredCertificate() throws Exception {
    int port = fx.server("pop3", true, "ssl_verify_client optional_no_ca; ssl_client_certificate " + CA + ";");
    fx.start(MAIL);
    assertRefused(port, presenting(FILES.expired), "-ERR SSL certificate error");
  }

  @Test
  void afterStarttlsTheSameChecksApplyBeforeAnyFurtherCommand() throws Exception {
    int imap = fx.server("imap", false, "starttls on; " + VERIFY_ON);
    int pop3 = fx.server("pop3", false, "starttls on; " + VERIFY_ON);
    int smtp = fx.server("smtp", false, "starttls on; " + VERIFY_ON);
    fx.start(MAIL);
    try (TlsLineClient c = connect(imap, TlsProxyFixture.IMAP_GREETING)) {
      upgrade(c, "a1 STARTTLS", "a1 OK completed");
      assertThat(c.readLine()).isEqualTo("* BYE No required SSL certificate");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    try (TlsLineClient c = connect(pop3, TlsProxyFixture.POP3_GREETING)) {
      expectReply(c, "STLS", "+OK");
      c.startTls(presenting(FILES.selfSigned));
      assertThat(c.readLine()).isEqualTo("-ERR SSL certificate error");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    try (TlsLineClient c = connect(smtp, TlsProxyFixture.SMTP_GREETING)) {
      expectReply(c, "STARTTLS", "220 2.0.0 Start TLS");
      c.startTls(presenting(FILES.alice));
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 AUTH PLAIN LOGIN");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void externalWithAVerifiedCertificateSendsTheCertificateHeadersAlongInEachProtocol() throws Exception {
    int imap = fx.server("imap", true, VERIFY_ON + " imap_auth external;");
    int pop3 = fx.server("pop3", true, VERIFY_ON + " pop3_auth external;");
    int smtp = fx.server("smtp", true, VERIFY_ON + " smtp_auth external;");
    fx.start(MAIL);
    String login = TlsProxyFixture.b64(USER);
    try (TlsLineClient c = TlsLineClient.implicit(imap, presenting(FILES.alice))) {
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=EXTERNAL");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 AUTHENTICATE EXTERNAL " + login);
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
    }
    try (TlsLineClient c = TlsLineClient.implicit(pop3, presenting(FILES.alice))) {
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.POP3_GREETING);
      c.send("AUTH EXTERNAL " + login);
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
    try (TlsLineClient c = TlsLineClient.implicit(smtp, presenting(FILES.alice))) {
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.SMTP_GREETING);
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 AUTH EXTERNAL");
      c.send("AUTH EXTERNAL " + login);
      assertThat(c.readLine()).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.authRequests()).hasSize(3).allSatisfy(request -> {
      assertThat(request.header("Auth-Method")).isEqualTo("external");
      assertThat(request.header("Auth-User")).isEqualTo(USER);
      assertThat(request.header("Auth-Pass")).isEmpty();
      assertThat(request.header("Auth-SSL-Verify")).isEqualTo("SUCCESS");
      assertThat(request.header("Auth-SSL-Subject")).isEqualTo(ALICE_SUBJECT);
      assertThat(request.header("Auth-SSL-Issuer")).isEqualTo(TEST_CA);
      assertThat(request.header("Auth-SSL-Cert")).startsWith("-----BEGIN%20CERTIFICATE-----%0A");
    });
    assertThat(fx.authRequests()).extracting(r -> r.header("Auth-Protocol")).containsExactly("imap", "pop3", "smtp");
  }
}
