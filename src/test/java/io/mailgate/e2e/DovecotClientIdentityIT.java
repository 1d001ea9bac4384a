package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.auth.AuthRequest;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.HaproxyServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real client reaches a real Dovecot through a real HAProxy and mailgate: HAProxy (TCP mode) sends mailgate a
 * PROXY v2 header, mailgate trusts it ({@code set_real_ip_from}) and, with {@code proxy_client_identity on}, tells
 * Dovecot who the client is: in an IMAP ID, and in a POP3 XCLIENT. Dovecot trusts mailgate
 * ({@code login_trusted_networks 127.0.0.1/32}), so its login lines name the client that connected to HAProxy from
 * 127.0.0.7, with its port, and mailgate's session.
 */
class DovecotClientIdentityIT {

  private static final String CLIENT_ADDRESS = "127.0.0.7";

  @TempDir static Path dir;
  static DovecotServer dovecot;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static HaproxyServer haproxy;
  static int haproxyPort;
  static int haproxyPop3Port;
  static int withoutIdentityPort;
  static LogCapture log;

  @BeforeAll
  static void start() throws Exception {
    Path dovecotBinary = RequiredTools.installed(DovecotServer.binary(), "dovecot (Debian package dovecot-imapd)",
        DovecotClientIdentityIT.class);
    RequiredTools.installed(HaproxyServer.binary(), "haproxy (Debian package haproxy)",
        DovecotClientIdentityIT.class);
    dovecot = DovecotServer.startTrusting(dovecotBinary, Files.createDirectories(dir.resolve("dovecot")), USER,
        PASSWORD, new DovecotServer.Trust(Optional.of("127.0.0.1/32"), Optional.empty()));
    // One auth service for both protocols: each login goes to Dovecot's listener for its protocol.
    auth = new FakeAuthServer(request -> TestMailbox.passwordBackendAuth(
        "pop3".equals(request.header("Auth-Protocol")) ? dovecot.pop3Port() : dovecot.port()).apply(request));
    log = LogCapture.onRootAtDebug();
    withoutIdentityPort = ProxyUnderTest.freePort();
    int pop3Port = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT% proxy_protocol; protocol imap; set_real_ip_from 127.0.0.1;"
        + " proxy_client_identity on; }\n"
        + "server { listen 127.0.0.1:" + withoutIdentityPort + "; protocol imap; }\n"
        + "server { listen 127.0.0.1:" + pop3Port + " proxy_protocol; protocol pop3; set_real_ip_from 127.0.0.1;"
        + " proxy_client_identity on; }");
    haproxyPort = ProxyUnderTest.freePort();
    haproxyPop3Port = ProxyUnderTest.freePort();
    Path config = Files.createDirectories(dir.resolve("haproxy")).resolve("haproxy.cfg");
    Files.writeString(config, String.join("\n",
        "defaults",
        "    mode tcp",
        "    timeout connect 5s",
        "    timeout client 30s",
        "    timeout server 30s",
        "frontend imap",
        "    bind 127.0.0.1:" + haproxyPort,
        "    default_backend mailgate",
        "backend mailgate",
        "    server mailgate 127.0.0.1:" + proxy.port() + " send-proxy-v2",
        "frontend pop3",
        "    bind 127.0.0.1:" + haproxyPop3Port,
        "    default_backend mailgate-pop3",
        "backend mailgate-pop3",
        "    server mailgate 127.0.0.1:" + pop3Port + " send-proxy-v2",
        ""));
    haproxy = HaproxyServer.start(config, haproxyPort);
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.close();
    }
    if (log != null) {
      log.close();
    }
    LeakWatcher.closeThenAssertNoLeaks(proxy, auth, dovecot);
  }

  @Test
  void dovecotLogsTheClientBehindHaproxyAndMailgatesSession() throws Exception {
    int before = dovecot.loginLines().size();
    int requests = auth.requests().size();
    int clientPort;
    try (LineClient c = new LineClient(CLIENT_ADDRESS, haproxyPort)) {
      clientPort = c.localPort();
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 ID (\"name\" \"DovecotClientIdentityIT\" \"x-originating-ip\" \"192.0.2.1\")");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 LOGIN " + USER + " " + PASSWORD);
      assertThat(c.readLine()).startsWith("a2 OK ").contains("Logged in");
      c.send("a3 NOOP");
      assertThat(c.readLine()).as("Dovecot's ID reply never reaches the client").startsWith("a3 OK NOOP");
      c.send("a4 LOGOUT");
    }
    FakeAuthServer.Request request = auth.requests().get(requests);
    assertThat(request.header("Client-IP")).as("mailgate took the client from HAProxy's header")
        .isEqualTo(CLIENT_ADDRESS);
    String session = request.header(AuthRequest.SESSION_ID_HEADER);
    assertThat(log.events()).as("mailgate's error log names the session Dovecot got")
        .anyMatch(l -> l.contains("client logged in, client: " + CLIENT_ADDRESS)
            && l.endsWith(", session: " + session));
    String login = awaitLoginLine(before);
    assertThat(login).contains("user=<" + USER + ">", "rip=" + CLIENT_ADDRESS + ",", "rport=" + clientPort + ",",
        "lip=127.0.0.1,", "lport=" + haproxyPort + ",", "session=<" + session + ">");
  }

  @Test
  void dovecotPop3LogsTheClientBehindHaproxyAndMailgatesSession() throws Exception {
    int before = dovecot.loginLines().size();
    int requests = auth.requests().size();
    int clientPort;
    try (LineClient c = new LineClient(CLIENT_ADDRESS, haproxyPop3Port)) {
      clientPort = c.localPort();
      assertThat(c.readLine()).startsWith("+OK");
      c.send("USER " + USER);
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS " + PASSWORD);
      assertThat(c.readLine()).as("Dovecot's XCLIENT reply never reaches the client").isEqualTo("+OK Logged in.");
      c.send("STAT");
      assertThat(c.readLine()).startsWith("+OK ");
      c.send("QUIT");
    }
    FakeAuthServer.Request request = auth.requests().get(requests);
    assertThat(request.header("Client-IP")).isEqualTo(CLIENT_ADDRESS);
    String session = request.header(AuthRequest.SESSION_ID_HEADER);
    String login = awaitLoginLine(before);
    assertThat(login).contains("pop3-login:", "user=<" + USER + ">", "rip=" + CLIENT_ADDRESS + ",",
        "rport=" + clientPort + ",", "session=<" + session + ">");
  }

  @Test
  void withIdentityOffDovecotSeesMailgate() throws Exception {
    int before = dovecot.loginLines().size();
    try (LineClient c = new LineClient(CLIENT_ADDRESS, withoutIdentityPort)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 LOGIN " + USER + " " + PASSWORD);
      assertThat(c.readLine()).startsWith("a1 OK ");
      c.send("a2 LOGOUT");
    }
    assertThat(awaitLoginLine(before)).contains("rip=127.0.0.1,").doesNotContain("rip=" + CLIENT_ADDRESS);
  }

  /** The first login line after the first {@code before} ones. */
  private static String awaitLoginLine(int before) {
    await().atMost(Duration.ofSeconds(10)).until(() -> dovecot.loginLines().size() > before);
    try {
      return dovecot.loginLines().get(before);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
