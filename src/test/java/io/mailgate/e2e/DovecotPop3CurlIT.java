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
 * The POP3 acceptance check: with an auth_http service and a real Dovecot POP3 backend, curl logs in through mailgate
 * with AUTH PLAIN, LOGIN, OAUTHBEARER and XOAUTH2, lists the mailbox and retrieves a message byte for byte.
 */
class DovecotPop3CurlIT {

  /**
   * RFC 5322 message with CRLF line ends, an 8-bit UTF-8 body, and lines that POP3 dot-stuffs (RFC 1939 §3): Dovecot
   * stuffs them and curl unstuffs them, so mailgate must relay the byte stream untouched.
   */
  private static final byte[] MESSAGE = String.join("\r\n",
      "Date: Mon, 02 Jun 2025 10:15:00 +0200",
      "From: Alice Example <alice@example.com>",
      "To: Test User <test@example.com>",
      "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_per_POP3?=",
      "Message-ID: <dovecot-pop3-curl-it@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "Grüße aus Köln — ein Test für mailgate.",
      "Ünïcödé ✓ 日本語 🙂",
      "",
      "Line with trailing spaces   ",
      ".",
      "..two dots",
      "-- ",
      "Alice",
      "").getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  static DovecotServer dovecot;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static AcceptanceCurl curl;
  static int xoauth2Port;

  @BeforeAll
  static void start() throws Exception {
    Path dovecotBinary = RequiredTools.installed(DovecotServer.binary(),
        "dovecot (Debian packages dovecot-imapd, dovecot-pop3d)", DovecotPop3CurlIT.class);
    curl = AcceptanceCurl.find(dir, DovecotPop3CurlIT.class);
    dovecot = DovecotServer.startWithPop3(dovecotBinary, Files.createDirectories(dir.resolve("dovecot")), USER,
        PASSWORD);
    dovecot.append(USER, PASSWORD, MESSAGE);
    // Routed to Dovecot's POP3 port; mailgate logs in there with USER/PASS (RFC 1939 §7), also for bearer tokens.
    auth = new FakeAuthServer(TestMailbox.passwordBackendAuth(dovecot.pop3Port()));
    xoauth2Port = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol pop3; pop3_auth plain oauthbearer xoauth2; }\n"
        + "server { listen 127.0.0.1:" + xoauth2Port + "; protocol pop3; pop3_auth plain xoauth2; }");
  }

  @AfterAll
  static void stop() throws Exception {
    LeakWatcher.closeThenAssertNoLeaks(proxy, auth, dovecot);
  }

  @ParameterizedTest
  @EnumSource(CurlLogin.class)
  void curlListsTheMailboxThroughMailgate(CurlLogin login) throws Exception {
    int before = auth.requests().size();
    CurlClient.Result result = curl.run(login.curlArgs(), url(login, ""));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    // LIST gives "<number> <size in octets>", the size counting CRLF line ends (RFC 1939 §5).
    assertThat(result.text()).as(() -> diagnostics(result)).isEqualTo("1 " + MESSAGE.length + "\r\n");
    assertThat(auth.authMethodsSince(before)).containsExactly(login.authMethod());
  }

  @ParameterizedTest
  @EnumSource(CurlLogin.class)
  void curlRetrievesTheMessageByteForByteThroughMailgate(CurlLogin login) throws Exception {
    int before = auth.requests().size();
    CurlClient.Result result = curl.run(login.curlArgs(), url(login, "1"));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.stdout()).as(() -> diagnostics(result)).isEqualTo(MESSAGE);
    assertThat(auth.authMethodsSince(before)).containsExactly(login.authMethod());
  }

  @Test
  void aWrongPasswordIsDeniedAfterAuthWait() throws Exception {
    long start = System.nanoTime();
    CurlClient.Result result = curl.run("--login-options", "AUTH=PLAIN", "-u", USER + ":wrong",
        "pop3://127.0.0.1:" + proxy.port() + "/");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void aWrongBearerTokenIsDenied() throws Exception {
    CurlClient.Result result = curl.run("--oauth2-bearer", "tok-999", "-u", USER,
        "pop3://127.0.0.1:" + proxy.port() + "/");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
  }

  private static String url(CurlLogin login, String path) {
    return "pop3://127.0.0.1:" + login.port(proxy.port(), xoauth2Port) + "/" + path;
  }

  private static String diagnostics(CurlClient.Result result) {
    return curl.explain(result, dovecot.log());
  }
}
