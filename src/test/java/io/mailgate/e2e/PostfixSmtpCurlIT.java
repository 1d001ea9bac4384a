package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.TOKEN;
import static io.mailgate.e2e.TestMailbox.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.PostfixServer;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SMTP acceptance check: curl submits a message through mailgate (AUTH PLAIN, LOGIN, OAUTHBEARER, XOAUTH2) to a
 * real Postfix that trusts mailgate's XCLIENT; Postfix logs the login and the original client's address from XCLIENT,
 * and delivers the message byte for byte.
 */
class PostfixSmtpCurlIT {

  private static final String RCPT = "rcpt@example.com";
  /** curl connects from this loopback address, so the client's address differs from mailgate's (127.0.0.1). */
  private static final String CLIENT_ADDRESS = "127.0.0.2";
  /** curl sends the URL path as its EHLO name (RFC 5321 §4.1.1.1), which mailgate passes on after XCLIENT. */
  private static final String CLIENT_HELO = "client.mailgate.test";
  /** A bearer token the auth service maps to a login with characters that XCLIENT's xtext (RFC 3461 §4) escapes. */
  private static final String TOKEN_FOR_ODD_LOGIN = "tok-odd";
  private static final String ODD_LOGIN = "first+last=x@example.com";
  private static final Duration DELIVERY_LIMIT = Duration.ofSeconds(10);
  private static final Pattern QUEUE_ID = Pattern.compile("\\(Postfix\\) with \\S+ id (\\w+)");
  private static final AtomicInteger SENT = new AtomicInteger();

  @TempDir static Path dir;
  static PostfixServer postfix;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static AcceptanceCurl curl;
  static int xoauth2Port;

  @BeforeAll
  static void start() throws Exception {
    curl = AcceptanceCurl.find(dir, PostfixSmtpCurlIT.class);
    postfix = RequiredTools.postfix(PostfixSmtpCurlIT.class, dir.resolve("postfix"), List.of(), RCPT);
    auth = new FakeAuthServer(PostfixSmtpCurlIT::operatorAnswer);
    xoauth2Port = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol smtp; smtp_auth plain login oauthbearer xoauth2; xclient on; }\n"
        + "server { listen 127.0.0.1:" + xoauth2Port + "; protocol smtp; smtp_auth plain login xoauth2; xclient on; }");
  }

  /**
   * An operator's auth service: passwords are checked, bearer tokens are mapped to the mailbox's login (Auth-User),
   * and every login is routed to Postfix, which learns the login from XCLIENT (SMTP needs no Auth-Pass).
   */
  private static String operatorAnswer(FakeAuthServer.Request request) {
    String method = request.header("Auth-Method");
    String user = request.header("Auth-User");
    String pass = request.header("Auth-Pass");
    if ("plain".equals(method) && USER.equals(user) && PASSWORD.equals(pass)) {
      return FakeAuthServer.ok(postfix.port());
    }
    boolean oauth = "oauthbearer".equals(method) || "xoauth2".equals(method);
    if (oauth && TOKEN.equals(pass)) {
      return FakeAuthServer.ok(postfix.port(), "Auth-User: " + USER);
    }
    if (oauth && TOKEN_FOR_ODD_LOGIN.equals(pass)) {
      return FakeAuthServer.ok(postfix.port(), "Auth-User: " + ODD_LOGIN);
    }
    return FakeAuthServer.fail("Invalid login or password", "Auth-Wait: 1");
  }

  @AfterAll
  static void stop() throws Exception {
    LeakWatcher.closeThenAssertNoLeaks(proxy, auth, postfix);
  }

  @ParameterizedTest
  @EnumSource(CurlLogin.class)
  void curlSubmitsThroughMailgateAndPostfixDeliversWithTheXclientLogin(CurlLogin login) throws Exception {
    int before = auth.requests().size();
    byte[] message = message(login.name());
    CurlClient.Result result = submit(login.port(proxy.port(), xoauth2Port), message, login.curlArgs());
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();

    String delivered = awaitDelivery(message);
    // Postfix prepends Return-Path, Delivered-To and Received, and stores the rest with LF line ends (local(8) style).
    assertThat(delivered).as(() -> diagnostics(result)).endsWith(lf(message));
    assertThat(delivered).contains("Received: from " + CLIENT_HELO + " (unknown [" + CLIENT_ADDRESS + "])");
    String queueId = queueId(delivered);
    // XCLIENT ADDR= is the original client's address and NAME=[UNAVAILABLE] leaves the name "unknown"; LOGIN= is the
    // login the auth service approved, which Postfix records as a SASL login by the XCLIENT method.
    awaitMaillogLine(queueId + ": client=unknown[" + CLIENT_ADDRESS + "], sasl_method=XCLIENT, sasl_username=" + USER);
    awaitMaillogLine(queueId + ": to=<" + RCPT + ">, relay=virtual");
    assertThat(maillogLine(queueId + ": to=<")).contains("status=sent (delivered to maildir)");
    assertThat(auth.authMethodsSince(before)).containsExactly(login.authMethod());
    assertThat(auth.requests().get(before).header("Client-IP")).isEqualTo(CLIENT_ADDRESS);
  }

  @Test
  void postfixSeesMailgatesConnectionBecomeTheClientsSessionThroughXclient() throws Exception {
    byte[] message = message("connection");
    CurlClient.Result result = submit(proxy.port(), message, CurlLogin.PLAIN.curlArgs());
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    awaitDelivery(message);
    String log = postfix.maillog();
    // The TCP connection is mailgate's own; only XCLIENT turns it into the client's session.
    assertThat(log).contains("connect from unknown[" + PostfixServer.XCLIENT_HOST + "]");
    assertThat(log).containsPattern("disconnect from unknown\\[" + Pattern.quote(CLIENT_ADDRESS) + "] .*xclient=");
    assertThat(log).doesNotContainPattern("smtpd\\[\\d+]: (warning|error|fatal): ");
  }

  @Test
  void anApprovedLoginWithXtextSpecialCharactersReachesPostfixUnchanged() throws Exception {
    byte[] message = message("odd-login");
    List<String> login = List.of("--oauth2-bearer", TOKEN_FOR_ODD_LOGIN, "-u", USER);
    CurlClient.Result result = submit(proxy.port(), message, login);
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    String queueId = queueId(awaitDelivery(message));
    awaitMaillogLine(queueId + ": client=unknown[" + CLIENT_ADDRESS + "], sasl_method=XCLIENT, sasl_username="
        + ODD_LOGIN);
  }

  @Test
  void aWrongBearerTokenIsDeniedAndNothingReachesPostfix() throws Exception {
    int delivered = postfix.deliveredMessages().size();
    long connections = connections();
    List<String> login = List.of("--oauth2-bearer", "tok-999", "-u", USER);
    CurlClient.Result result = submit(proxy.port(), message("denied"), login);
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
    assertThat(connections()).as(() -> diagnostics(result)).isEqualTo(connections);
    assertThat(postfix.deliveredMessages()).hasSize(delivered);
  }

  /** How many SMTP connections Postfix has logged. */
  private static long connections() throws IOException {
    return postfix.maillog().lines().filter(l -> l.contains("]: connect from ")).count();
  }

  /** A message with CRLF line ends, an 8-bit UTF-8 body and a lone "." line (dot-stuffed by curl, RFC 5321 §4.5.2). */
  private static byte[] message(String label) {
    return String.join("\r\n",
        "Date: Mon, 02 Jun 2025 10:15:00 +0200",
        "From: Test User <" + USER + ">",
        "To: Recipient <" + RCPT + ">",
        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_=C3=BCber_SMTP?= " + label,
        "Message-ID: <postfix-curl-it-" + label + "-" + SENT.incrementAndGet() + "@mailgate.test>",
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
        "Test",
        "").getBytes(StandardCharsets.UTF_8);
  }

  private static CurlClient.Result submit(int port, byte[] message, List<String> loginArgs) throws Exception {
    Path file = Files.createTempFile(dir, "message", ".eml");
    Files.write(file, message);
    List<String> options = new ArrayList<>(List.of("--interface", CLIENT_ADDRESS,
        "--mail-from", USER, "--mail-rcpt", RCPT, "--upload-file", file.toString()));
    options.addAll(loginArgs);
    return curl.run(options, "smtp://127.0.0.1:" + port + "/" + CLIENT_HELO);
  }

  /** Waits for the delivered file holding {@code message}'s Message-ID and returns its text. */
  private static String awaitDelivery(byte[] message) {
    String id = new String(message, StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("Message-ID: "))
        .findFirst().orElseThrow();
    List<String> found = new ArrayList<>();
    await().atMost(DELIVERY_LIMIT).pollInterval(Duration.ofMillis(50)).alias("delivery of " + id + "\n" + postfix.log())
        .until(() -> {
          for (Path file : postfix.deliveredMessages()) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.contains(id + "\n")) {
              found.add(text);
              return true;
            }
          }
          return false;
        });
    return found.get(0);
  }

  private static String queueId(String delivered) {
    Matcher m = QUEUE_ID.matcher(delivered);
    assertThat(m.find()).as("Postfix queue id in the Received header of:\n%s", delivered).isTrue();
    return m.group(1);
  }

  private static void awaitMaillogLine(String text) {
    await().atMost(DELIVERY_LIMIT).pollInterval(Duration.ofMillis(50)).alias("maillog line " + text)
        .until(() -> maillogLine(text) != null);
  }

  /** The first maillog line containing {@code text}, or null. */
  private static String maillogLine(String text) {
    try {
      return postfix.maillog().lines().filter(l -> l.contains(text)).findFirst().orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lf(byte[] message) {
    return new String(message, StandardCharsets.UTF_8).replace("\r\n", "\n");
  }

  private static String diagnostics(CurlClient.Result result) {
    return curl.explain(result, postfix.log());
  }
}
