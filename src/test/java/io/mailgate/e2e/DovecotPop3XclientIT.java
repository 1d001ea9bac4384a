package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POP3 XCLIENT against a real Dovecot whose {@code login_trusted_networks} holds mailgate's address (127.0.0.1): with
 * {@code proxy_client_identity on}, Dovecot's pop3-login logs the client (which connects from 127.0.0.8) as the
 * remote end, with its port and mailgate's session id; with it off, Dovecot sees mailgate, as behind nginx.
 */
class DovecotPop3XclientIT {

  private static final String CLIENT_ADDRESS = "127.0.0.8";
  private static final Pattern ACCEPT =
      Pattern.compile("accept: " + Pattern.quote(CLIENT_ADDRESS) + " on \\S+, session: ([0-9a-f]{16})");
  private static final Duration LOG_LIMIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  static DovecotServer dovecot;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static int offPort;

  @BeforeAll
  static void start() throws Exception {
    Path binary = RequiredTools.installed(DovecotServer.binary(),
        "dovecot (Debian packages dovecot-imapd, dovecot-pop3d)", DovecotPop3XclientIT.class);
    dovecot = DovecotServer.startTrusting(binary, Files.createDirectories(dir.resolve("dovecot")), USER, PASSWORD,
        new DovecotServer.Trust(Optional.of("127.0.0.1/32"), Optional.empty()));
    auth = new FakeAuthServer(TestMailbox.passwordBackendAuth(dovecot.pop3Port()));
    offPort = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol pop3; proxy_client_identity on; }\n"
        + "server { listen 127.0.0.1:" + offPort + "; protocol pop3; }");
  }

  @AfterAll
  static void stop() throws Exception {
    LeakWatcher.closeThenAssertNoLeaks(proxy, auth, dovecot);
  }

  /** The client's port and mailgate's session id of one USER/PASS login from 127.0.0.8. */
  private record Login(int clientPort, String sessionId) {}

  private static Login logIn(int port) throws Exception {
    try (LogCapture log = LogCapture.onRootAtDebug(); LineClient c = new LineClient(CLIENT_ADDRESS, port)) {
      assertThat(c.readLine()).isEqualTo("+OK POP3 ready");
      c.send("USER " + USER);
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("PASS " + PASSWORD);
      assertThat(c.readLine()).as(dovecot::log).isEqualTo("+OK Logged in.");
      c.send("QUIT");
      assertThat(c.readLine()).startsWith("+OK");
      Matcher accept = ACCEPT.matcher(log.text());
      assertThat(accept.find()).as("accept line in\n%s", log.text()).isTrue();
      return new Login(c.localPort(), accept.group(1));
    }
  }

  /** Waits for Dovecot's pop3-login Login line that contains {@code text}. */
  private static String awaitLoginLine(String text) {
    String[] found = new String[1];
    await().atMost(LOG_LIMIT).pollInterval(Duration.ofMillis(50)).alias("pop3-login line with " + text + "\n"
        + dovecot.log()).until(() -> {
          List<String> lines = dovecot.loginLines();
          for (String line : lines) {
            if (line.contains("pop3-login") && line.contains(text)) {
              found[0] = line;
              return true;
            }
          }
          return false;
        });
    return found[0];
  }

  @Test
  void dovecotLogsTheClientsAddressPortAndMailgatesSession() throws Exception {
    Login login = logIn(proxy.port());
    String line = awaitLoginLine("rport=" + login.clientPort() + ",");
    assertThat(line).contains("Login: user=<" + USER + ">, method=PLAIN, rip=" + CLIENT_ADDRESS + ", rport="
        + login.clientPort() + ", lip=127.0.0.1, lport=" + dovecot.pop3Port() + ", mpid=");
    assertThat(line).endsWith("session=<" + login.sessionId() + ">");
  }

  @Test
  void withTheDirectiveOffDovecotSeesMailgateAsBehindNginx() throws Exception {
    Login login = logIn(offPort);
    String line = awaitLoginLine("rip=127.0.0.1,");
    assertThat(line).contains("Login: user=<" + USER + ">, method=PLAIN, rip=127.0.0.1, rport=");
    assertThat(line).doesNotContain("rport=" + login.clientPort() + ",").doesNotContain(login.sessionId());
  }
}
