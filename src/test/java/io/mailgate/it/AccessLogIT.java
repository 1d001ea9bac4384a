package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.AccessLogLines;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TestPki;
import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log of a real {@code bin/mailgate}: one line per session for every outcome (relayed, bad credentials,
 * auth service error, backend failure, TLS, client timeout, PROXY protocol), read back field by field in both
 * formats; the session id is the same in the access log, the error log and the auth service's request; no password
 * or token reaches either log; USR1 follows a renamed file and a reload moves new sessions to a new log.
 */
class AccessLogIT {

  private static final String PASSWORD = "Acc3ss-L0g-pw";
  private static final String BAD_PASSWORD = "Wr0ng-Acc3ss-pw";
  private static final String TOKEN = "ya29.Acc3ssLog-T0ken";
  private static final String SERVICE_PASSWORD = "Svc-Acc3ss-pw";

  @TempDir Path dir;
  private FakeImapBackend backend;
  private FakeAuthServer auth;
  private MailgateProcess mailgate;
  private TestPki.Pair cert;
  private TestPki pki;
  private final int imap = port();
  private final int slow = port();
  private final int proxied = port();
  private final int tls = port();
  private final int pop3 = port();
  private final int smtp = port();
  private final int deadBackend = port();
  private int seen;

  private static int port() {
    try {
      return ProxyUnderTest.freePort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void peers() throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(r -> {
      String user = r.header("Auth-User");
      if ("xoauth2".equals(r.header("Auth-Method"))) {
        return FakeAuthServer.ok(backend.port(), "Auth-Pass: " + SERVICE_PASSWORD);
      }
      if (user.startsWith("svcerr")) {
        return null;
      }
      if (user.equals("nobackend")) {
        return FakeAuthServer.ok(deadBackend);
      }
      return PASSWORD.equals(r.header("Auth-Pass")) ? FakeAuthServer.ok(backend.port())
          : FakeAuthServer.fail("Invalid login");
    });
    pki = TestPki.create(dir);
    cert = pki.server(TestPki.KeyType.RSA, "mail.test");
  }

  @AfterEach
  void stop() throws IOException {
    if (mailgate != null) {
      mailgate.close();
    }
    auth.close();
    backend.close();
  }

  private String config(String format, String accessLog) {
    return "error_log " + dir.resolve("error.log") + " info;\n"
        + "mail {\n"
        + "  auth_http 127.0.0.1:" + auth.port() + "/auth;\n"
        + "  access_log " + accessLog + ";\n"
        + "  access_log_format " + format + ";\n"
        + "  imap_auth plain xoauth2;\n"
        + "  server { listen 127.0.0.1:" + imap + "; protocol imap; }\n"
        + "  server { listen 127.0.0.1:" + slow + "; protocol imap; timeout 1s; }\n"
        + "  server { listen 127.0.0.1:" + proxied + " proxy_protocol; protocol imap; set_real_ip_from 127.0.0.1; }\n"
        + "  server { listen 127.0.0.1:" + tls + " ssl; protocol imap; ssl_certificate " + cert.certificate()
        + "; ssl_certificate_key " + cert.key() + "; }\n"
        + "  server { listen 127.0.0.1:" + pop3 + "; protocol pop3; }\n"
        + "  server { listen 127.0.0.1:" + smtp + "; protocol smtp; smtp_auth plain; }\n"
        + "}\n";
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The next access-log line (waiting for the writer), parsed in {@code format}. */
  private Map<String, String> next(Path log, String format) throws IOException {
    await().atMost(Duration.ofSeconds(10)).until(() -> lines(log).size() > seen);
    String line = lines(log).get(seen++);
    return format.equals("json") ? AccessLogLines.json(line) : AccessLogLines.text(line);
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : new ArrayList<>();
  }

  /** Checks the fields every line has, and that the id is the one of the session's error-log lines and auth request. */
  private Map<String, String> common(Map<String, String> f, String protocol, int port, boolean askedAuth)
      throws IOException {
    assertThat(f.keySet()).containsExactlyElementsOf(AccessLogLines.FIELDS);
    assertThat(f.get("session")).matches("[0-9a-f]{16}");
    assertThat(f.get("protocol")).isEqualTo(protocol);
    assertThat(f.get("listener")).isEqualTo("127.0.0.1:" + port);
    long start = OffsetDateTime.parse(f.get("start")).toInstant().toEpochMilli();
    long end = OffsetDateTime.parse(f.get("time")).toInstant().toEpochMilli();
    assertThat(end - start).isEqualTo(Long.parseLong(f.get("duration_ms"))).isBetween(0L, 15_000L);
    String id = f.get("session");
    List<String> errorLog = mailgate.logLines("error.log");
    String connected = errorLog.stream().filter(l -> l.contains(" connected to ") && l.endsWith(", session: " + id))
        .findFirst().orElseThrow(() -> new AssertionError("no connect line for session " + id));
    // Every error-log line of that connection (nginx's "*N") ends with its session id.
    String number = connected.substring(connected.indexOf(": *") + 2, connected.indexOf(" client "));
    assertThat(errorLog).filteredOn(l -> l.contains(": " + number + " ")).hasSizeGreaterThan(1)
        .allMatch(l -> l.endsWith(", session: " + id));
    List<String> headerIds = auth.requests().stream().map(r -> r.header("X-Mailgate-Session-Id")).toList();
    if (askedAuth) {
      assertThat(auth.requests()).filteredOn(r -> id.equals(r.header("X-Mailgate-Session-Id")))
          .isNotEmpty().allSatisfy(r -> assertThat(unescape(r.header("Auth-User"))).isEqualTo(f.get("user")));
    } else {
      assertThat(headerIds).doesNotContain(id);
    }
    return f;
  }

  /** Auth-User as sent: raw UTF-8 bytes, percent-encoded for space, % and control bytes. */
  private static String unescape(String header) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < header.length(); i++) {
      if (header.charAt(i) == '%') {
        out.write(Integer.parseInt(header.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(header.charAt(i));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private void outcomes(Path log, String format) throws Exception {
    // OK, relayed bytes counted exactly, then the client quits.
    String noopReply;
    try (LineClient c = new LineClient(imap)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 LOGIN alice " + PASSWORD);
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 NOOP");
      noopReply = c.readLine();
      assertThat(noopReply).startsWith("a2 OK");
    }
    Map<String, String> ok = common(next(log, format), "imap", imap, true);
    assertThat(ok.get("client")).matches("127\\.0\\.0\\.1:\\d+");
    assertThat(ok).containsEntry("user", "alice").containsEntry("mechanism", "plain").containsEntry("result", "ok")
        .containsEntry("backend", "127.0.0.1:" + backend.port())
        .containsEntry("bytes_from_client", String.valueOf("a2 NOOP\r\n".length()))
        .containsEntry("bytes_to_client", String.valueOf(noopReply.length() + 2))
        .containsEntry("tls_protocol", null).containsEntry("tls_cipher", null)
        .containsEntry("close_reason", "client closed connection");
    String okId = ok.get("session");
    assertThat(mailgate.logLines("error.log"))
        .anyMatch(l -> l.contains("client logged in, client: 127.0.0.1") && l.endsWith(", session: " + okId));

    // Bad credentials, with a user name that needs escaping.
    try (LineClient c = new LineClient(imap)) {
      c.readLine();
      c.send("b1 LOGIN \"ev\\\"il\" " + BAD_PASSWORD);
      assertThat(c.readLine()).isEqualTo("b1 NO Invalid login");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    assertThat(common(next(log, format), "imap", imap, true)).containsEntry("user", "ev\"il")
        .containsEntry("result", "bad_credentials").containsEntry("backend", null)
        .containsEntry("bytes_from_client", "0").containsEntry("bytes_to_client", "0")
        .containsEntry("close_reason", "login failed");

    // The auth service fails (SMTP).
    try (LineClient c = new LineClient(smtp)) {
      assertThat(c.readLine()).startsWith("220 ");
      c.send("EHLO client.example");
      while (!c.readLine().startsWith("250 ")) {
        // the EHLO reply's lines
      }
      // A user name with terminal controls and non-ASCII (PLAIN refuses CR and LF; the unit tests cover them).
      c.send("AUTH PLAIN " + b64("\0svcerr\u001b[2J\u0007 \u00fcn\u00ef\0" + PASSWORD));
      assertThat(c.readLine()).startsWith("451 ");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    assertThat(common(next(log, format), "smtp", smtp, true)).containsEntry("user", "svcerr\u001b[2J\u0007 \u00fcn\u00ef")
        .containsEntry("result", "auth_service_error").containsEntry("close_reason", "auth service error");

    // The backend cannot be reached (POP3).
    try (LineClient c = new LineClient(pop3)) {
      assertThat(c.readLine()).startsWith("+OK");
      c.send("USER nobackend");
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS " + PASSWORD);
      assertThat(c.readLine()).startsWith("-ERR");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    assertThat(common(next(log, format), "pop3", pop3, true)).containsEntry("user", "nobackend")
        .containsEntry("result", "backend_failure").containsEntry("backend", "127.0.0.1:" + deadBackend)
        .containsEntry("close_reason", "backend login failed");

    // Implicit TLS, logging in with an XOAUTH2 token, ended by the backend (LOGOUT).
    String tlsVersion;
    String cipher;
    try (TlsLineClient c = TlsLineClient.implicit(tls, TlsClientOptions.trusting(pki.ca().x509()))) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      tlsVersion = c.session().getProtocol();
      cipher = c.session().getCipherSuite();
      c.send("t1 AUTHENTICATE XOAUTH2 " + b64("user=tokenuser\1auth=Bearer " + TOKEN + "\1\1"));
      assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
      c.send("t2 LOGOUT");
      assertThat(c.readLine()).startsWith("* BYE");
      assertThat(c.readLine()).startsWith("t2 OK");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    assertThat(common(next(log, format), "imap", tls, true)).containsEntry("tls_protocol", tlsVersion)
        .containsEntry("tls_cipher", cipher).containsEntry("user", "tokenuser").containsEntry("mechanism", "xoauth2")
        .containsEntry("result", "ok").containsEntry("close_reason", "upstream closed connection");

    // The client says nothing and times out (timeout 1s).
    try (LineClient c = new LineClient(slow)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    Map<String, String> timedOut = common(next(log, format), "imap", slow, false);
    assertThat(timedOut).containsEntry("user", null).containsEntry("mechanism", null).containsEntry("result", null)
        .containsEntry("backend", null).containsEntry("close_reason", "client timed out");
    assertThat(Long.parseLong(timedOut.get("duration_ms"))).isGreaterThanOrEqualTo(1000);

    // Behind a load balancer: the PROXY header's client is the one logged.
    try (LineClient c = new LineClient(proxied)) {
      c.sendRaw("PROXY TCP4 192.0.2.44 127.0.0.1 40123 " + proxied + "\r\n");
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("p1 LOGIN bob " + PASSWORD);
      assertThat(c.readLine()).isEqualTo("p1 OK LOGIN completed");
    }
    assertThat(common(next(log, format), "imap", proxied, true)).containsEntry("client", "192.0.2.44:40123")
        .containsEntry("user", "bob").containsEntry("result", "ok");
    assertThat(mailgate.logLines("error.log")).anyMatch(l -> l.contains("client: 192.0.2.44, server: 127.0.0.1:"
        + proxied));
    // A broken first line closes the session; the valid header behind it (which the decoder still reads as the input
    // closes, found by ProxyHeaderFuzzTest) does not rename the client.
    try (LineClient c = new LineClient(proxied)) {
      c.sendRaw("\r\nPROXY TCP4 192.0.2.55 127.0.0.1 40124 " + proxied + "\r\n");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    Map<String, String> broken = common(next(log, format), "imap", proxied, false);
    assertThat(broken.get("client")).startsWith("127.0.0.1:");
    assertThat(broken).containsEntry("user", null).containsEntry("close_reason", "broken PROXY protocol header");
    // Whatever the clients sent, the access log is lines of printable ASCII.
    assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).matches("[\\x20-\\x7e\\n]*");
  }

  /** No password, token or Auth-Pass, plain or in base64, anywhere mailgate writes. */
  private void noSecrets(Path... files) throws IOException {
    List<String> secrets = List.of(PASSWORD, BAD_PASSWORD, TOKEN, SERVICE_PASSWORD, b64(TOKEN), b64(PASSWORD),
        b64("\0svcerr\u001b[2J\u0007 \u00fcn\u00ef\0" + PASSWORD), b64("user=tokenuser\1auth=Bearer " + TOKEN + "\1\1"));
    for (Path file : files) {
      String text = Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
      assertThat(text).as(file.toString()).isNotEmpty();
      assertThat(text.lines()).as(file.toString()).noneMatch(l -> l.startsWith("forged"));
      for (String secret : secrets) {
        assertThat(text).as(file.toString()).doesNotContain(secret);
      }
    }
    assertThat(mailgate.output()).doesNotContain(PASSWORD, BAD_PASSWORD, TOKEN, SERVICE_PASSWORD);
  }

  @Test
  void textLinesForEveryOutcomeAndUsr1FollowsARename() throws Exception {
    mailgate = MailgateProcess.start(dir, config("text", "access.log"));
    Path log = dir.resolve("access.log");
    outcomes(log, "text");
    noSecrets(log, dir.resolve("error.log"));
    assertThat(lines(log)).hasSize(8);

    Files.move(log, dir.resolve("access.log.1"));
    mailgate.signal("USR1");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> mailgate.logLines("error.log").stream().anyMatch(l -> l.contains("reopening logs")));
    try (LineClient c = new LineClient(slow)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
    }
    seen = 0;
    assertThat(next(log, "text")).containsEntry("listener", "127.0.0.1:" + slow);
    assertThat(lines(dir.resolve("access.log.1"))).hasSize(8);
  }

  @Test
  void jsonLinesForEveryOutcomeAndAReloadMovesNewSessionsToTheNewLog() throws Exception {
    mailgate = MailgateProcess.start(dir, config("json", dir.resolve("logs/access.json").toString()));
    Path log = dir.resolve("logs/access.json");
    outcomes(log, "json");
    noSecrets(log, dir.resolve("error.log"));

    mailgate.rewriteConfig(config("text", "other.log"));
    assertThat(mailgate.control("reload").exit()).isZero();
    try (LineClient c = new LineClient(slow)) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
    }
    int before = seen;
    seen = 0;
    assertThat(next(dir.resolve("other.log"), "text")).containsEntry("close_reason", "client closed connection");
    assertThat(lines(log)).hasSize(before);
  }
}
