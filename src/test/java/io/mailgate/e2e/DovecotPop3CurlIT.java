package io.mailgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
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

  private static final String USER = "test@example.com";
  private static final String PASSWORD = "secret";
  private static final String TOKEN = "tok-123";
  private static final Duration CURL_LIMIT = Duration.ofSeconds(20);

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

  /**
   * How curl is told to log in, and the Auth-Method mailgate must then send. curl picks OAUTHBEARER whenever it is
   * advertised, even with {@code --login-options AUTH=XOAUTH2} (curl issue 10259), so XOAUTH2 goes to a second listener
   * whose {@code pop3_auth} leaves OAUTHBEARER out.
   */
  enum Login {
    PLAIN("plain", false, "--login-options", "AUTH=PLAIN", "-u", USER + ":" + PASSWORD),
    LOGIN("plain", false, "--login-options", "AUTH=LOGIN", "-u", USER + ":" + PASSWORD),
    OAUTHBEARER("oauthbearer", false, "--oauth2-bearer", TOKEN, "-u", USER),
    XOAUTH2("xoauth2", true, "--login-options", "AUTH=XOAUTH2", "--oauth2-bearer", TOKEN, "-u", USER);

    final String authMethod;
    final boolean xoauth2Listener;
    final List<String> curlArgs;

    Login(String authMethod, boolean xoauth2Listener, String... curlArgs) {
      this.authMethod = authMethod;
      this.xoauth2Listener = xoauth2Listener;
      this.curlArgs = List.of(curlArgs);
    }

    String url(String path) {
      return "pop3://127.0.0.1:" + (xoauth2Listener ? xoauth2Port : proxy.port()) + "/" + path;
    }
  }

  @TempDir static Path dir;
  static DovecotServer dovecot;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static CurlClient curl;
  static String curlVersion;
  static int xoauth2Port;

  @BeforeAll
  static void start() throws Exception {
    Path dovecotBinary = required(DovecotServer.binary(), "dovecot (Debian packages dovecot-imapd, dovecot-pop3d)");
    Path curlBinary = required(CurlClient.binary(), "curl (Debian package curl)");
    curl = new CurlClient(curlBinary, dir);
    curlVersion = curl.version();
    dovecot = DovecotServer.startWithPop3(dovecotBinary, Files.createDirectories(dir.resolve("dovecot")), USER,
        PASSWORD);
    dovecot.append(USER, PASSWORD, MESSAGE);
    auth = new FakeAuthServer(DovecotPop3CurlIT::operatorAnswer);
    xoauth2Port = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol pop3; pop3_auth plain oauthbearer xoauth2; }\n"
        + "server { listen 127.0.0.1:" + xoauth2Port + "; protocol pop3; pop3_auth plain xoauth2; }");
  }

  /**
   * An operator's auth service: passwords are checked and routed to Dovecot's POP3 port; bearer tokens are mapped to
   * the mailbox's password login (mailgate logs in to the backend with USER/PASS, RFC 1939 §7).
   */
  private static String operatorAnswer(FakeAuthServer.Request request) {
    String method = request.header("Auth-Method");
    String user = request.header("Auth-User");
    String pass = request.header("Auth-Pass");
    if ("plain".equals(method) && USER.equals(user) && PASSWORD.equals(pass)) {
      return FakeAuthServer.ok(dovecot.pop3Port());
    }
    if (("oauthbearer".equals(method) || "xoauth2".equals(method)) && TOKEN.equals(pass)) {
      return FakeAuthServer.ok(dovecot.pop3Port(), "Auth-User: " + USER, "Auth-Pass: " + PASSWORD);
    }
    return FakeAuthServer.fail("Invalid login or password", "Auth-Wait: 1");
  }

  /** Skips locally when a tool is missing, but fails in CI, whose .ci/run installs both. */
  private static Path required(Optional<Path> tool, String what) {
    if (tool.isPresent()) {
      return tool.get();
    }
    String message = what + " is not installed";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + ": .ci/run installs it; the acceptance test must not be skipped in CI");
    }
    Assumptions.assumeTrue(false, message + "; skipping the Dovecot POP3 + curl acceptance test");
    return null;
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (proxy != null) {
        proxy.close();
      }
      if (auth != null) {
        auth.close();
      }
      if (dovecot != null) {
        dovecot.close();
      }
    } finally {
      LeakWatcher.assertNoLeaks();
    }
  }

  @ParameterizedTest
  @EnumSource(Login.class)
  void curlListsTheMailboxThroughMailgate(Login login) throws Exception {
    int before = auth.requests().size();
    CurlClient.Result result = curl(login, login.url(""));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    // LIST gives "<number> <size in octets>", the size counting CRLF line ends (RFC 1939 §5).
    assertThat(result.text()).as(() -> diagnostics(result)).isEqualTo("1 " + MESSAGE.length + "\r\n");
    assertThat(methodsSince(before)).containsExactly(login.authMethod);
  }

  @ParameterizedTest
  @EnumSource(Login.class)
  void curlRetrievesTheMessageByteForByteThroughMailgate(Login login) throws Exception {
    int before = auth.requests().size();
    CurlClient.Result result = curl(login, login.url("1"));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.stdout()).as(() -> diagnostics(result)).isEqualTo(MESSAGE);
    assertThat(methodsSince(before)).containsExactly(login.authMethod);
  }

  @Test
  void aWrongPasswordIsDeniedAfterAuthWait() throws Exception {
    long start = System.nanoTime();
    CurlClient.Result result = curl.run(CURL_LIMIT, "-sS", "--max-time", "15", "--login-options", "AUTH=PLAIN",
        "-u", USER + ":wrong", "pop3://127.0.0.1:" + proxy.port() + "/");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void aWrongBearerTokenIsDenied() throws Exception {
    CurlClient.Result result = curl.run(CURL_LIMIT, "-sS", "--max-time", "15", "--oauth2-bearer", "tok-999",
        "-u", USER, "pop3://127.0.0.1:" + proxy.port() + "/");
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
  }

  private static CurlClient.Result curl(Login login, String url) throws Exception {
    List<String> args = new ArrayList<>(List.of("-sS", "--max-time", "15"));
    args.addAll(login.curlArgs);
    args.add(url);
    return curl.run(CURL_LIMIT, args.toArray(String[]::new));
  }

  private static List<String> methodsSince(int before) {
    List<FakeAuthServer.Request> requests = auth.requests();
    return requests.subList(before, requests.size()).stream().map(r -> r.header("Auth-Method")).toList();
  }

  private static String diagnostics(CurlClient.Result result) {
    return result.describe() + "\nstdout: " + result.text() + "\n" + curlVersion + "\n" + dovecot.log();
  }
}
