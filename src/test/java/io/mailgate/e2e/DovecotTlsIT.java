package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both sides with real software: curl logs in over IMAPS to mailgate, which logs in over IMAPS to a Dovecot that
 * listens only on TLS, verifying Dovecot's certificate against the test CA and the name from {@code proxy_ssl_name}.
 * A second server block trusting another CA must refuse Dovecot's certificate and say why in the error log.
 */
class DovecotTlsIT {

  /** The name in Dovecot's certificate; mailgate reaches Dovecot at 127.0.0.1 from Auth-Server. */
  private static final String DOVECOT_NAME = "dovecot.test";

  private static final byte[] MESSAGE = String.join("\r\n",
      "Date: Tue, 03 Jun 2025 09:00:00 +0200",
      "From: Alice Example <alice@example.com>",
      "To: Test User <test@example.com>",
      "Subject: TLS all the way",
      "Message-ID: <dovecot-tls-it@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "Verschlüsselt von Anfang bis Ende ✓",
      ".",
      "").getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  static TestPki pki;
  static DovecotServer dovecot;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static LogCapture log;
  static AcceptanceCurl curl;
  static int untrustingPort;
  static long uid;

  @BeforeAll
  static void start() throws Exception {
    Path dovecotBinary = RequiredTools.installed(DovecotServer.binary(), "dovecot (Debian package dovecot-imapd)",
        DovecotTlsIT.class);
    curl = AcceptanceCurl.find(dir, DovecotTlsIT.class);
    pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
    TestPki other = TestPki.create(dir.resolve("pki"), "Other CA");
    dovecot = DovecotServer.startTlsOnly(dovecotBinary, Files.createDirectories(dir.resolve("dovecot")), USER,
        PASSWORD, pki.server(TestPki.KeyType.RSA, DOVECOT_NAME));
    uid = dovecot.append(USER, PASSWORD, MESSAGE);
    auth = new FakeAuthServer(request -> USER.equals(request.header("Auth-User"))
        && PASSWORD.equals(request.header("Auth-Pass"))
        ? FakeAuthServer.ok(dovecot.port()) : FakeAuthServer.fail("Invalid login or password"));
    TestPki.Pair mailgateCert = pki.server(TestPki.KeyType.RSA, "localhost", "127.0.0.1");
    String clientTls = "ssl_certificate " + mailgateCert.certificate() + "; ssl_certificate_key "
        + mailgateCert.key() + ";";
    untrustingPort = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT% ssl; protocol imap; " + clientTls + " proxy_ssl on; "
        + "proxy_ssl_trusted_certificate " + pki.ca().certificate() + "; proxy_ssl_name " + DOVECOT_NAME + "; }\n"
        + "server { listen 127.0.0.1:" + untrustingPort + " ssl; protocol imap; " + clientTls + " proxy_ssl on; "
        + "proxy_ssl_trusted_certificate " + other.ca().certificate() + "; proxy_ssl_name " + DOVECOT_NAME + "; }");
    log = LogCapture.onRootAtDebug();
  }

  @AfterAll
  static void stop() throws Exception {
    LeakWatcher.closeThenAssertNoLeaks(log, proxy, auth, dovecot);
  }

  private static CurlClient.Result curl(int port, String path) throws Exception {
    return curl.run("--cacert", pki.ca().certificate().toString(), "-u", USER + ":" + PASSWORD,
        "imaps://127.0.0.1:" + port + "/" + path);
  }

  @Test
  void curlListsTheMailboxesOverTlsOnBothSides() throws Exception {
    CurlClient.Result result = curl(proxy.port(), "");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.text()).as(() -> diagnostics(result)).contains("INBOX");
  }

  @Test
  void curlFetchesTheMessageByteForByteOverTlsOnBothSides() throws Exception {
    CurlClient.Result result = curl(proxy.port(), "INBOX;UID=" + uid);
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.stdout()).as(() -> diagnostics(result)).isEqualTo(MESSAGE);
    assertThat(log.text()).contains("upstream TLS: implicit TLS, name \"" + DOVECOT_NAME + "\", verify on");
  }

  @Test
  void aDovecotCertificateFromAnUntrustedCaIsRefusedAndTheReasonLogged() throws Exception {
    CurlClient.Result result = curl(untrustingPort, "");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isNotZero();
    assertThat(result.text()).doesNotContain("INBOX");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.text())
        .contains("SSL handshake with upstream failed")
        .contains("PKIX path building failed")
        .contains("while SSL handshaking to upstream"));
  }

  private static String diagnostics(CurlClient.Result result) {
    return curl.explain(result, dovecot.log());
  }
}
