package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The acceptance check: with an nginx-style {@code mail {}} config whose auth_http points at an HTTP auth service and
 * whose backend is a real Dovecot, curl logs in through mailgate with AUTH=PLAIN, AUTH=LOGIN, OAUTHBEARER and XOAUTH2,
 * lists mailboxes and fetches a message byte for byte.
 */
class DovecotCurlIT {

  /** RFC 5322 message with CRLF line endings and an 8-bit UTF-8 body (RFC 6532 / RFC 2045 8bit). */
  private static final byte[] MESSAGE = String.join("\r\n",
      "Date: Mon, 02 Jun 2025 10:15:00 +0200",
      "From: Alice Example <alice@example.com>",
      "To: Test User <test@example.com>",
      "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=",
      "Message-ID: <dovecot-curl-it@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "Grüße aus Köln — ein Test für mailgate.",
      "Ünïcödé ✓ 日本語 🙂",
      "",
      "Line with trailing spaces   ",
      ".",
      "-- ",
      "Alice",
      "").getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  static DovecotServer dovecot;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static AcceptanceCurl curl;
  static int xoauth2Port;
  static long uid;

  @BeforeAll
  static void start() throws Exception {
    Path dovecotBinary = RequiredTools.installed(DovecotServer.binary(), "dovecot (Debian package dovecot-imapd)",
        DovecotCurlIT.class);
    curl = AcceptanceCurl.find(dir, DovecotCurlIT.class);
    dovecot = DovecotServer.start(dovecotBinary, Files.createDirectories(dir.resolve("dovecot")), USER, PASSWORD);
    uid = dovecot.append(USER, PASSWORD, MESSAGE);
    auth = new FakeAuthServer(TestMailbox.passwordBackendAuth(dovecot.port()));
    xoauth2Port = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol imap; imap_auth plain login oauthbearer xoauth2; }\n"
        + "server { listen 127.0.0.1:" + xoauth2Port + "; protocol imap; imap_auth plain login xoauth2; }");
  }

  @AfterAll
  static void stop() throws Exception {
    LeakWatcher.closeThenAssertNoLeaks(proxy, auth, dovecot);
  }

  @ParameterizedTest
  @EnumSource(CurlLogin.class)
  void curlListsTheMailboxesThroughMailgate(CurlLogin login) throws Exception {
    int before = auth.requests().size();
    CurlClient.Result result = curl.run(login.curlArgs(), url(login, ""));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.text()).as(() -> diagnostics(result)).contains("INBOX");
    assertThat(auth.authMethodsSince(before)).containsExactly(login.authMethod());
  }

  @ParameterizedTest
  @EnumSource(CurlLogin.class)
  void curlFetchesTheMessageByteForByteThroughMailgate(CurlLogin login) throws Exception {
    int before = auth.requests().size();
    CurlClient.Result result = curl.run(login.curlArgs(), url(login, "INBOX;UID=" + uid));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.stdout()).as(() -> diagnostics(result)).isEqualTo(MESSAGE);
    assertThat(auth.authMethodsSince(before)).containsExactly(login.authMethod());
  }

  @Test
  void aWrongPasswordIsDeniedAfterAuthWait() throws Exception {
    long start = System.nanoTime();
    CurlClient.Result result = curl.run("--login-options", "AUTH=PLAIN", "-u", USER + ":wrong",
        "imap://127.0.0.1:" + proxy.port() + "/");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void aWrongBearerTokenIsDenied() throws Exception {
    CurlClient.Result result = curl.run("--oauth2-bearer", "tok-999", "-u", USER,
        "imap://127.0.0.1:" + proxy.port() + "/");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
  }

  private static String url(CurlLogin login, String path) {
    return "imap://127.0.0.1:" + login.port(proxy.port(), xoauth2Port) + "/" + path;
  }

  private static String diagnostics(CurlClient.Result result) {
    return curl.explain(result, dovecot.log());
  }
}
