package io.mailgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
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
 * {@code proxy_protocol v2} against a real parser: Dovecot with {@code haproxy = yes} for mailgate's address
 * ({@code haproxy_trusted_networks 127.0.0.1/32}) takes the binary header's source as the client, so its login log
 * shows the client's own address ({@code rip=127.0.0.9}) and a port, and the listener mailgate's client connected to
 * ({@code lip}, {@code lport}), for IMAP and POP3. Dovecot refuses a connection without a valid header, so a login
 * also proves the bytes parse.
 */
class DovecotProxyProtocolV2IT {

  private static final String USER = "alice@example.test";
  private static final String PASSWORD = "Alice-pw-1";
  /** The IMAP and the POP3 client's source addresses: any 127/8 address reaches loopback on Linux. */
  private static final String IMAP_CLIENT = "127.0.0.9";
  private static final String POP3_CLIENT = "127.0.0.10";

  @TempDir static Path dir;
  static DovecotServer dovecot;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;
  static int pop3Port;

  @BeforeAll
  static void start() throws Exception {
    Path binary = RequiredTools.installed(DovecotServer.binary(),
        "dovecot (Debian packages dovecot-imapd, dovecot-pop3d)", DovecotProxyProtocolV2IT.class);
    dovecot = DovecotServer.startTrusting(binary, Files.createDirectories(dir.resolve("dovecot")), USER, PASSWORD,
        // login_trusted_networks names nobody here: it only turns on the login lines' rport and lport.
        new DovecotServer.Trust(Optional.of("192.0.2.254/32"), Optional.of("127.0.0.1/32")));
    auth = new FakeAuthServer(request -> FakeAuthServer.ok(
        request.header("Auth-Protocol").equals("pop3") ? dovecot.pop3Port() : dovecot.port()));
    pop3Port = ProxyUnderTest.freePort();
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol imap; proxy_protocol v2; }\n"
        + "server { listen 127.0.0.1:" + pop3Port + "; protocol pop3; proxy_protocol v2; }");
  }

  @AfterAll
  static void stop() throws Exception {
    LeakWatcher.closeThenAssertNoLeaks(proxy, auth, dovecot);
  }

  /** The login line Dovecot wrote for {@code protocol}. */
  private static String loginLine(String protocol) throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() ->
        dovecot.loginLines().stream().anyMatch(l -> l.contains(protocol + "-login")));
    return dovecot.loginLines().stream().filter(l -> l.contains(protocol + "-login")).findFirst().orElseThrow();
  }

  @Test
  void dovecotsImapLoginShowsTheClientsAddressAndPortAndMailgatesListener() throws Exception {
    try (LineClient c = new LineClient(IMAP_CLIENT, proxy.port())) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 LOGIN " + USER + " " + PASSWORD);
      assertThat(c.readLine()).startsWith("a1 OK");
      c.send("a2 LOGOUT");
      assertThat(c.readLine()).startsWith("* BYE");
    }
    assertThat(loginLine("imap"))
        .contains("user=<" + USER + ">", "rip=" + IMAP_CLIENT + ",", "lip=127.0.0.1,", "lport=" + proxy.port() + ",")
        .containsPattern("rport=[1-9][0-9]*,");
  }

  @Test
  void dovecotsPop3LoginShowsTheClientsAddressAndPort() throws Exception {
    try (LineClient c = new LineClient(POP3_CLIENT, pop3Port)) {
      assertThat(c.readLine()).startsWith("+OK");
      c.send("USER " + USER);
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS " + PASSWORD);
      assertThat(c.readLine()).startsWith("+OK");
      c.send("QUIT");
      assertThat(c.readLine()).startsWith("+OK");
    }
    assertThat(loginLine("pop3"))
        .contains("user=<" + USER + ">", "rip=" + POP3_CLIENT + ",", "lip=127.0.0.1,", "lport=" + pop3Port + ",")
        .containsPattern("rport=[1-9][0-9]*,");
  }
}
