package io.mailgate.it;

import static io.mailgate.resolver.FakeDnsServer.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.resolver.FakeDnsServer;
import io.mailgate.resolver.FakeDnsServer.Answer;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.UsersFileWriter;
import io.mailgate.testkit.UsersFileWriter.Scheme;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dead first backend address and a live second one, over real sockets: from a backend map line of two addresses,
 * and from an {@code Auth-Server} host name that resolves (through a fake DNS server named by {@code resolver}) to
 * two addresses. The login succeeds on the second, the error log shows the first's failure once, and the access log
 * names the address actually used.
 */
class BackendFailoverIT {

  @TempDir Path dir;
  FakeImapBackend backend;
  ProxyUnderTest proxy;

  @BeforeEach
  void startBackend() throws Exception {
    backend = new FakeImapBackend();
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    backend.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  /** A loopback port nothing listens on. */
  private static int deadPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void logIn(int port) throws Exception {
    try (LineClient c = new LineClient(port)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 LOGIN alice secret");
      assertThat(c.readLine()).startsWith("a1 OK");
    }
  }

  private static List<String> linesMatching(LogCapture log, String regex) {
    Pattern p = Pattern.compile(regex);
    return log.text().lines().filter(l -> p.matcher(l).find()).toList();
  }

  @Test
  void aBackendMapLineOfTwoAddressesFailsOverFromARefusedFirstOne() throws Exception {
    int dead = deadPort();
    UsersFileWriter users = new UsersFileWriter(dir.resolve("users")).user("alice", "secret", Scheme.BCRYPT).write();
    Path map = Files.writeString(dir.resolve("backends.map"),
        "alice 127.0.0.1:" + dead + " 127.0.0.1:" + backend.port() + "\n");
    Path access = dir.resolve("access.log");
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      proxy = ProxyUnderTest.start(dir, "auth_users " + users.file() + "; access_log " + access + ";\n"
          + "server { listen 127.0.0.1:%PORT%; protocol imap; imap_auth plain; proxy_backend_map " + map + "; }");

      logIn(proxy.port());

      await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(access) && Files.size(access) > 0);
      assertThat(linesMatching(log, "connect\\(\\) failed")).singleElement().asString()
          .contains("connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1")
          .contains(", upstream: 127.0.0.1:" + dead + ", ");
      assertThat(Files.readString(access)).contains("127.0.0.1:" + backend.port())
          .doesNotContain("127.0.0.1:" + dead);
    }
    assertThat(backend.received()).anySatisfy(l -> assertThat(l).startsWith("a1 LOGIN"));
  }

  @Test
  void anAuthServerNameResolvingToTwoAddressesFailsOverFromARefusedFirstOne() throws Exception {
    // Both addresses share Auth-Port: the backend listens on 127.0.0.1 only, so 127.0.0.2 refuses that port.
    try (FakeDnsServer dns = new FakeDnsServer((name, type) -> !name.equals("imap.pool.test")
            ? Answer.code(DnsResponseCode.NXDOMAIN)
            : type == DnsRecordType.A
                ? Answer.records(() -> List.of(address(name, "127.0.0.2", 60), address(name, "127.0.0.1", 60)))
                : Answer.records(List::of));
        FakeAuthServer auth = new FakeAuthServer(r -> "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\n"
            + "Auth-Server: imap.pool.test\r\nAuth-Port: " + backend.port() + "\r\n");
        LogCapture log = LogCapture.onRootAtDebug()) {
      proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
          + "server { listen 127.0.0.1:%PORT%; protocol imap; resolver 127.0.0.1:" + dns.address().getPort()
          + "; resolver_timeout 5s; }");

      logIn(proxy.port());

      assertThat(linesMatching(log, "connect\\(\\) failed")).singleElement().asString()
          .contains("connect() failed (111: Connection refused) while connecting to upstream")
          .contains(", upstream: 127.0.0.2:" + backend.port() + ", ");
      assertThat(dns.questions()).contains("A imap.pool.test");
    }
    assertThat(backend.received()).anySatisfy(l -> assertThat(l).startsWith("a1 LOGIN"));
  }

  @Test
  void anAuthServerNameThatDoesNotResolveIsAnInternalError() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer((name, type) -> Answer.code(DnsResponseCode.NXDOMAIN));
        FakeAuthServer auth = new FakeAuthServer(r -> "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\n"
            + "Auth-Server: nowhere.test\r\nAuth-Port: " + backend.port() + "\r\n");
        LogCapture log = LogCapture.onRootAtDebug()) {
      proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
          + "server { listen 127.0.0.1:%PORT%; protocol imap; resolver 127.0.0.1:" + dns.address().getPort()
          + "; }");
      try (LineClient c = new LineClient(proxy.port())) {
        assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
        c.send("a1 LOGIN alice secret");
        assertThat(c.readLine()).containsIgnoringCase("internal server error");
      }
      assertThat(log.text()).contains("sent server name \"nowhere.test\" that could not be resolved");
    }
    assertThat(backend.received()).isEmpty();
  }
}
