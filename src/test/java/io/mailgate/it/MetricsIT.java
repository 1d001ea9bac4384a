package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mailgate.app.Mailgate;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.LogLevel;
import io.mailgate.config.MailgateConfig;
import io.mailgate.log.ErrorLogs;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsTestFiles;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics_listen}: scripted IMAP and POP3 sessions of every outcome through a running mailgate, then
 * {@code /metrics} scraped over HTTP with exact values, the health checks, and the HTTP server's own answers.
 */
class MetricsIT {

  private static final String USER = "test@example.com";

  @TempDir Path dir;
  private FakeImapBackend imapBackend;
  private FakePop3Backend pop3Backend;
  private FakeAuthServer auth;
  private Mailgate mailgate;
  private int imapPort;
  private int pop3Port;
  private int metricsPort;
  private String imapListen;
  /** One more server block for a test that needs it. */
  private String extraServer = "";
  /** Directives for the {@code mail} block, for a test that needs them. */
  private String mailExtra = "";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void setUp() throws Exception {
    imapBackend = new FakeImapBackend();
    pop3Backend = new FakePop3Backend();
    int deadBackend = ProxyUnderTest.freePort();
    // The user names pick the auth service's answer; the backend is the protocol's fake one.
    auth = new FakeAuthServer(r -> {
      String user = r.header("Auth-User");
      int backend = "pop3".equals(r.header("Auth-Protocol")) ? pop3Backend.port() : imapBackend.port();
      if (user.startsWith("bad")) {
        return FakeAuthServer.fail("Invalid login or password");
      } else if (user.startsWith("garbage")) {
        return "this is not HTTP\r\n";
      } else if (user.startsWith("nobackend")) {
        return FakeAuthServer.ok(deadBackend);
      }
      return FakeAuthServer.ok(backend);
    });
    imapPort = ProxyUnderTest.freePort();
    pop3Port = ProxyUnderTest.freePort();
    metricsPort = ProxyUnderTest.freePort();
    imapListen = "127.0.0.1:" + imapPort;
  }

  @AfterEach
  void tearDown() throws Exception {
    if (mailgate != null) {
      mailgate.stop();
    }
    auth.close();
    imapBackend.close();
    pop3Backend.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  private String config(String main, String authHttp) {
    return "pid mailgate.pid;\nerror_log stderr info;\n" + main + "\nevents { worker_connections 256; }\n"
        + "mail {\n  auth_http " + authHttp + ";\n" + mailExtra
        + "  server { listen " + imapListen + "; protocol imap; }\n" + extraServer
        + "  server { listen 127.0.0.1:" + pop3Port + "; protocol pop3; }\n}\n";
  }

  private void start(String main) throws Exception {
    start(main, "http://127.0.0.1:" + auth.port() + "/auth");
  }

  private void start(String main, String authHttp) throws Exception {
    Path conf = dir.resolve("mailgate.conf");
    Files.writeString(conf, config(main, authHttp));
    MailgateConfig config = ConfigLoader.load(conf, dir, n -> { });
    ErrorLogs.configureStderr(LogLevel.INFO);
    LeakWatcher.install();
    mailgate = new Mailgate(config, List.of());
    mailgate.start();
  }

  private String metricsOn() {
    return "metrics_listen 127.0.0.1:" + metricsPort + ";";
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(metricsPort, path);
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Every sample of the scrape, by {@code name{labels}} as Prometheus prints it. */
  private Map<String, Double> scrape() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, Double> samples = new TreeMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }

  /** The sample {@code name} with {@code labels} (name, value pairs), which Prometheus prints sorted by name. */
  private static String sample(String name, String... labels) {
    Map<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    List<String> parts = new ArrayList<>();
    sorted.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
    return name + "{" + String.join(",", parts) + "}";
  }

  private double value(String name, String... labels) throws Exception {
    String key = sample(name, labels);
    Map<String, Double> samples = scrape();
    assertThat(samples).containsKey(key);
    return samples.get(key);
  }

  private LineClient imap() throws IOException {
    LineClient c = new LineClient(imapPort);
    assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
    return c;
  }

  /** An IMAP LOGIN as {@code user}; the reply line. */
  private String imapLogin(String user) throws IOException {
    try (LineClient c = imap()) {
      c.send("a1 LOGIN " + user + " secret");
      String reply = c.readLine();
      c.send("a2 LOGOUT");
      return reply;
    }
  }

  private void awaitNoSessions() {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Map<String, Double> samples = scrape();
      List<Double> active = samples.entrySet().stream()
          .filter(e -> e.getKey().startsWith("mailgate_sessions_active{")).map(Map.Entry::getValue).toList();
      assertThat(active).hasSize((extraServer.isEmpty() ? 2 : 3) * 3).containsOnly(0.0);
    });
  }

  @Test
  void throttledLoginsAndRefusedConnectionsAreCounted() throws Exception {
    // Two failures from 127.0.0.1 reach the threshold; the third attempt is refused at once, unasked.
    mailExtra = "  login_throttle on; login_throttle_ip 2; login_throttle_user 0; login_throttle_delay 0;\n"
        + "  limit_preauth_per_client 3;\n";
    start(metricsOn());
    assertThat(imapLogin("bad1@example.com")).startsWith("a1 NO Invalid login or password");
    assertThat(imapLogin("bad2@example.com")).startsWith("a1 NO Invalid login or password");
    assertThat(imapLogin(USER)).isEqualTo("a1 NO [UNAVAILABLE] Too many login failures, try again later");
    List<LineClient> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        idle.add(imap());
      }
      try (LineClient fourth = new LineClient(imapPort)) {
        assertThat(fourth.readLine()).isEqualTo("* BYE Too many connections");
      }
    } finally {
      for (LineClient c : idle) {
        c.close();
      }
    }
    awaitNoSessions();

    Map<String, Double> s = scrape();
    assertThat(s.get(sample("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result",
        "bad_credentials"))).isEqualTo(2.0);
    assertThat(s.get(sample("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result",
        "throttled"))).isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_throttle_decisions_total", "decision", "allowed"))).isEqualTo(2.0);
    assertThat(s.get(sample("mailgate_throttle_decisions_total", "decision", "refused"))).isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_connections_refused_total", "limit", "preauth_per_client"))).isEqualTo(1.0);
    assertThat(s.get("mailgate_access_log_dropped_lines_total")).isEqualTo(0.0);
    // The auth service was asked for the two failures only.
    assertThat(s.get(sample("mailgate_auth_duration_seconds_count", "protocol", "imap"))).isEqualTo(2.0);
  }

  @Test
  void everyOutcomeIsCountedExactly() throws Exception {
    start(metricsOn());

    assertThat(imapLogin(USER)).isEqualTo("a1 OK LOGIN completed");
    assertThat(imapLogin("bad1@example.com")).startsWith("a1 NO Invalid login or password");
    assertThat(imapLogin("garbage@example.com")).isEqualTo("* BAD internal server error");
    assertThat(imapLogin("nobackend@example.com")).isEqualTo("* BAD internal server error");
    String imapLabel = imapListen;

    long toBackend;
    long toClient;
    try (LineClient c = imap()) {
      c.send("a1 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      assertThat(value("mailgate_sessions_active", "listener", imapLabel, "phase", "relaying", "protocol", "imap"))
          .isEqualTo(1.0);
      toBackend = (long) value("mailgate_relayed_bytes_total", "direction", "client_to_backend", "protocol", "imap");
      toClient = (long) value("mailgate_relayed_bytes_total", "direction", "backend_to_client", "protocol", "imap");
      c.send("a2 XBIG 1000");
      assertThat(c.readLine()).isEqualTo("* XBIG {1000}");
      assertThat(c.readLine()).isEqualTo("x".repeat(1000));
      assertThat(c.readLine()).isEqualTo("a2 OK XBIG completed");
    }
    // "a2 XBIG 1000\r\n" one way; the literal's header, 1000 bytes and CRLF, and the tagged OK the other.
    assertThat(value("mailgate_relayed_bytes_total", "direction", "client_to_backend", "protocol", "imap"))
        .isEqualTo(toBackend + 14.0);
    assertThat(value("mailgate_relayed_bytes_total", "direction", "backend_to_client", "protocol", "imap"))
        .isEqualTo(toClient + "* XBIG {1000}\r\n".length() + 1002 + "a2 OK XBIG completed\r\n".length());

    try (LineClient c = new LineClient(pop3Port)) {
      assertThat(c.readLine()).startsWith("+OK");
      c.send("USER " + USER);
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
      c.send("QUIT");
      assertThat(c.readLine()).isEqualTo("+OK quit ok");
    }
    awaitNoSessions();

    Map<String, Double> s = scrape();
    assertThat(s.get(sample("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result", "ok")))
        .isEqualTo(2.0);
    assertThat(s.get(sample("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result",
        "bad_credentials"))).isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result",
        "auth_service_error"))).isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result",
        "backend_failure"))).isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_logins_total", "mechanism", "plain", "protocol", "pop3", "result", "ok")))
        .isEqualTo(1.0);
    assertThat(s.keySet().stream().filter(k -> k.startsWith("mailgate_logins_total{"))).hasSize(5);
    assertThat(s.get(sample("mailgate_connections_accepted_total", "listener", imapLabel, "protocol", "imap")))
        .isEqualTo(5.0);
    assertThat(s.get(sample("mailgate_connections_accepted_total", "listener", "127.0.0.1:" + pop3Port,
        "protocol", "pop3"))).isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_auth_errors_total", "kind", "invalid_response"))).isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_auth_errors_total", "kind", "connect"))).isEqualTo(0.0);
    assertThat(s.get(sample("mailgate_auth_duration_seconds_count", "protocol", "imap"))).isEqualTo(5.0);
    assertThat(s.get(sample("mailgate_auth_duration_seconds_count", "protocol", "pop3"))).isEqualTo(1.0);
    // Two logins and one refused connect towards the IMAP backend.
    assertThat(s.get(sample("mailgate_backend_login_duration_seconds_count", "protocol", "imap"))).isEqualTo(3.0);
    assertThat(s.get(sample("mailgate_backend_failures_total", "kind", "connect", "protocol", "imap")))
        .isEqualTo(1.0);
    assertThat(s.get(sample("mailgate_backend_failures_total", "kind", "connect", "protocol", "pop3")))
        .isEqualTo(0.0);
    assertThat(s.entrySet().stream().filter(e -> e.getKey().startsWith("mailgate_build_info{version=\""))
        .map(Map.Entry::getValue)).containsExactly(1.0);
    assertThat(s).containsKeys("jvm_threads_live_threads", "mailgate_netty_direct_memory_used_bytes",
        "mailgate_netty_allocator_memory_used_bytes{area=\"direct\"}");
    assertThat(s.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\""))
        .anyMatch(k -> k.startsWith("jvm_gc_"));
    String text = get("/metrics").body();
    assertThat(text).doesNotContain(USER).doesNotContain("bad1").doesNotContain("garbage@")
        .doesNotContain("127.0.0.1:" + imapBackend.port()).doesNotContain("127.0.0.1:" + pop3Backend.port());
  }

  @Test
  void tlsHandshakesAreCountedByVersionAndFailuresByProtocol() throws Exception {
    TlsTestFiles files = TlsTestFiles.shared();
    int imapsPort = ProxyUnderTest.freePort();
    extraServer = "  server { listen 127.0.0.1:" + imapsPort + " ssl; protocol imap; "
        + TlsTestFiles.certificate(files.serverRsa) + " }\n";
    start(metricsOn());

    for (String version : List.of("TLSv1.3", "TLSv1.2", "TLSv1.3")) {
      try (TlsLineClient c = TlsLineClient.implicit(imapsPort, files.client().protocols(version))) {
        assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
        c.send("a1 LOGIN " + USER + " secret");
        assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      }
    }
    try (LineClient c = new LineClient(imapsPort)) {
      c.send("a1 LOGIN not TLS at all");
      assertThat(c.closedWithin(3000)).isTrue();
    }
    awaitNoSessions();

    assertThat(value("mailgate_tls_handshakes_total", "protocol", "imap", "version", "tlsv1.3")).isEqualTo(2.0);
    assertThat(value("mailgate_tls_handshakes_total", "protocol", "imap", "version", "tlsv1.2")).isEqualTo(1.0);
    assertThat(value("mailgate_tls_handshake_failures_total", "protocol", "imap")).isEqualTo(1.0);
    assertThat(value("mailgate_tls_handshake_failures_total", "protocol", "pop3")).isEqualTo(0.0);
    assertThat(value("mailgate_connections_accepted_total", "listener", "127.0.0.1:" + imapsPort, "protocol", "imap"))
        .isEqualTo(4.0);
    assertThat(value("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result", "ok"))
        .isEqualTo(3.0);
  }

  @Test
  void theHttpServerAnswersHealthChecksAndRefusesTheRest() throws Exception {
    start(metricsOn());

    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).contains("# TYPE mailgate_relayed_bytes_total counter");
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ready\n");
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(get("/metrics?name[]=x").statusCode()).isEqualTo(200);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
        + "/metrics")).timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void readyIs503WhileTheAuthServiceAnswersGarbageAndBackOnceItAnswers() throws Exception {
    start(metricsOn());
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);

    assertThat(imapLogin("garbage@example.com")).isEqualTo("* BAD internal server error");
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).startsWith("not ready: auth service failed (invalid_response)");
    assertThat(get("/health/live").statusCode()).isEqualTo(200);

    assertThat(imapLogin("bad@example.com")).startsWith("a1 NO");
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void aGracefulStopMakesItUnreadyWhileItDrains() throws Exception {
    start(metricsOn());
    try (LineClient c = imap()) {
      c.send("a1 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");

      mailgate.stopGracefully();

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("not ready: mail listeners are not bound\n");
      });
      assertThat(get("/health/live").statusCode()).isEqualTo(200);
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
    }
  }

  @Test
  void anAuthServiceThatIsDownCountsAsConnectAndMakesItUnready() throws Exception {
    start(metricsOn(), "http://127.0.0.1:" + ProxyUnderTest.freePort() + "/auth");

    assertThat(imapLogin(USER)).isEqualTo("* BAD internal server error");

    assertThat(value("mailgate_auth_errors_total", "kind", "connect")).isEqualTo(1.0);
    assertThat(value("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result",
        "auth_service_error")).isEqualTo(1.0);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("(connect)");
  }

  @Test
  void withoutMetricsListenNothingListensAndNoThreadRuns() throws Exception {
    start("");

    assertThat(imapLogin(USER)).isEqualTo("a1 OK LOGIN completed");
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), metricsPort).close())
        .isInstanceOf(ConnectException.class);
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("mailgate-metrics"));
  }

  @Test
  void aReloadMovesTheServerAndCountersGoOn() throws Exception {
    start(metricsOn());
    assertThat(imapLogin(USER)).isEqualTo("a1 OK LOGIN completed");
    int oldPort = metricsPort;
    metricsPort = ProxyUnderTest.freePort();
    Files.writeString(dir.resolve("mailgate.conf"), config(metricsOn(), "http://127.0.0.1:" + auth.port() + "/auth"));

    mailgate.reload();
    assertThat(mailgate.generation()).isEqualTo(2);

    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), oldPort).close())
        .isInstanceOf(ConnectException.class);
    assertThat(imapLogin(USER)).isEqualTo("a1 OK LOGIN completed");
    awaitNoSessions();
    assertThat(value("mailgate_logins_total", "mechanism", "plain", "protocol", "imap", "result", "ok"))
        .isEqualTo(2.0);
    assertThat(value("mailgate_reloads_total", "result", "ok")).isEqualTo(1.0);
  }

  @Test
  void aMetricsAddressThatCannotBeBoundFailsTheReloadAndTheOldOneStays() throws Exception {
    start(metricsOn());
    int oldPort = metricsPort;
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      metricsPort = taken.getLocalPort();
      Files.writeString(dir.resolve("mailgate.conf"),
          config(metricsOn(), "http://127.0.0.1:" + auth.port() + "/auth"));

      mailgate.reload();
      assertThat(mailgate.generation()).isEqualTo(1);
    }

    assertThat(get(oldPort, "/health/ready").statusCode()).isEqualTo(200);
    metricsPort = oldPort;
    assertThat(value("mailgate_reloads_total", "result", "failed")).isEqualTo(1.0);
    assertThat(imapLogin(USER)).isEqualTo("a1 OK LOGIN completed");
  }
}
