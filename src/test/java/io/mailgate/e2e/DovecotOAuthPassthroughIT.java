package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.TOKEN;
import static io.mailgate.e2e.TestMailbox.USER;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Token passthrough ({@code proxy_backend_login token}) to a real Dovecot 2.3: mailgate checks the client's bearer
 * token at an RFC 7662 introspection endpoint, then logs in to Dovecot with the same mechanism and the same token,
 * and Dovecot's {@code oauth2} passdb introspects it again at the same endpoint. curl lists INBOX and fetches a
 * message byte for byte; Dovecot's log shows the OAuth login.
 */
class DovecotOAuthPassthroughIT {

  /** Active for mailgate but no longer for Dovecot: revoked between the two checks. */
  private static final String REVOKED_AT_BACKEND = "tok-revoked";
  private static final String CLIENT_ID = "mailgate";
  private static final String CLIENT_SECRET = "introspection-secret";

  private static final byte[] MESSAGE = String.join("\r\n",
      "Date: Mon, 02 Jun 2025 10:15:00 +0200",
      "From: Alice Example <alice@example.com>",
      "To: Test User <test@example.com>",
      "Subject: token passthrough",
      "Message-ID: <dovecot-oauth-it@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      "Grüße — the backend saw the client's own token.",
      ".",
      "").getBytes(StandardCharsets.UTF_8);

  /** One request the introspection endpoint answered. */
  record Introspection(String userAgent, String token) {
    boolean fromDovecot() {
      return userAgent != null && userAgent.startsWith("dovecot");
    }
  }

  @TempDir static Path dir;
  static HttpServer idp;
  static final List<Introspection> introspections = new CopyOnWriteArrayList<>();
  static DovecotServer dovecot;
  static ProxyUnderTest proxy;
  static AcceptanceCurl curl;
  static int xoauth2Port;
  static long uid;

  @BeforeAll
  static void start() throws Exception {
    Path dovecotBinary = RequiredTools.installed(DovecotServer.binary(), "dovecot (Debian package dovecot-imapd)",
        DovecotOAuthPassthroughIT.class);
    curl = AcceptanceCurl.find(dir, DovecotOAuthPassthroughIT.class);
    idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    idp.createContext("/introspect", DovecotOAuthPassthroughIT::introspect);
    idp.start();
    String endpoint = "http://127.0.0.1:" + idp.getAddress().getPort() + "/introspect";
    // Dovecot takes its client credentials from the URL's userinfo; mailgate from its own directive and secret file.
    dovecot = DovecotServer.startWithOAuth2(dovecotBinary, Files.createDirectories(dir.resolve("dovecot")), USER,
        PASSWORD, endpoint.replace("http://", "http://" + CLIENT_ID + ":" + CLIENT_SECRET + "@"));
    uid = dovecot.append(USER, PASSWORD, MESSAGE);
    Path mailgateDir = Files.createDirectories(dir.resolve("mailgate"));
    Files.writeString(mailgateDir.resolve("introspection.secret"), CLIENT_SECRET + "\n");
    xoauth2Port = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(mailgateDir,
        "auth_oauth_introspection " + endpoint + " " + CLIENT_ID + " introspection.secret;\n"
        + "proxy_backend_login token;\n"
        + "proxy_backend 127.0.0.1:" + dovecot.port() + ";\n"
        + "proxy_pass_error_message on;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol imap; imap_auth oauthbearer xoauth2; }\n"
        + "server { listen 127.0.0.1:" + xoauth2Port + "; protocol imap; imap_auth xoauth2; }");
  }

  /** RFC 7662 §2: a form POST with HTTP Basic client credentials, answered with JSON. */
  private static void introspect(HttpExchange exchange) throws IOException {
    try (exchange) {
      String expected = "Basic " + Base64.getEncoder().encodeToString(
          (CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
      if (!"POST".equals(exchange.getRequestMethod())
          || !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      String token = formValue(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), "token");
      Introspection request = new Introspection(exchange.getRequestHeaders().getFirst("User-Agent"), token);
      introspections.add(request);
      boolean active = TOKEN.equals(token) || REVOKED_AT_BACKEND.equals(token) && !request.fromDovecot();
      byte[] body = (active ? "{\"active\":true,\"email\":\"" + USER + "\",\"scope\":\"mail\"}"
          : "{\"active\":false}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String formValue(String form, String name) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @AfterAll
  static void stop() throws Exception {
    AutoCloseable introspectionEndpoint = idp == null ? null : () -> idp.stop(0);
    LeakWatcher.closeThenAssertNoLeaks(proxy, dovecot, introspectionEndpoint);
  }

  @ParameterizedTest
  @EnumSource(value = CurlLogin.class, names = {"OAUTHBEARER", "XOAUTH2"})
  void curlListsInboxWithTheTokenCheckedByMailgateAndByDovecot(CurlLogin login) throws Exception {
    int before = introspections.size();
    CurlClient.Result result = curl.run(login.curlArgs(), url(login, ""));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.text()).as(() -> diagnostics(result)).contains("INBOX");
    List<Introspection> asked = introspections.subList(before, introspections.size());
    // mailgate may answer from its cache; Dovecot asks for every login.
    assertThat(asked).as(() -> diagnostics(result)).contains(new Introspection(dovecotAgent(asked), TOKEN));
    assertThat(dovecot.log()).contains("Login: user=<" + USER + ">, method=" + login.name());
  }

  @ParameterizedTest
  @EnumSource(value = CurlLogin.class, names = {"OAUTHBEARER", "XOAUTH2"})
  void curlFetchesTheMessageByteForByte(CurlLogin login) throws Exception {
    CurlClient.Result result = curl.run(login.curlArgs(), url(login, "INBOX;UID=" + uid));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(result.stdout()).as(() -> diagnostics(result)).isEqualTo(MESSAGE);
  }

  @Test
  void bothSidesIntrospectTheSameTokenAtTheSameEndpoint() throws Exception {
    CurlClient.Result result = curl.run(CurlLogin.OAUTHBEARER.curlArgs(), url(CurlLogin.OAUTHBEARER, ""));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isZero();
    assertThat(introspections).filteredOn(i -> TOKEN.equals(i.token())).extracting(Introspection::fromDovecot)
        .contains(true, false);
  }

  @Test
  void aTokenMailgateRejectsNeverReachesDovecot() throws Exception {
    int before = introspections.size();
    CurlClient.Result result = curl.run("--oauth2-bearer", "tok-999", "-u", USER, url(CurlLogin.OAUTHBEARER, ""));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
    assertThat(introspections.subList(before, introspections.size())).noneMatch(Introspection::fromDovecot);
  }

  @Test
  void aTokenDovecotRejectsIsDeniedWithDovecotsOwnReply() throws Exception {
    CurlClient.Result result = curl.run("-v", "--oauth2-bearer", REVOKED_AT_BACKEND, "-u", USER,
        url(CurlLogin.OAUTHBEARER, ""));
    assertThat(result.exitCode()).as(() -> diagnostics(result)).isEqualTo(CurlClient.LOGIN_DENIED);
    // mailgate answered Dovecot's error challenge; curl sees only the final tagged NO (proxy_pass_error_message).
    assertThat(result.stderr()).as(() -> diagnostics(result)).contains("NO [AUTHENTICATIONFAILED]");
    assertThat(introspections).contains(new Introspection(dovecotAgent(introspections), REVOKED_AT_BACKEND));
  }

  private static String dovecotAgent(List<Introspection> asked) {
    return asked.stream().filter(Introspection::fromDovecot).map(Introspection::userAgent).findFirst()
        .orElse("dovecot");
  }

  private static String url(CurlLogin login, String path) {
    return "imap://127.0.0.1:" + login.port(proxy.port(), xoauth2Port) + "/" + path;
  }

  private static String diagnostics(CurlClient.Result result) {
    return curl.explain(result, "introspections: " + introspections, dovecot.log());
  }
}
