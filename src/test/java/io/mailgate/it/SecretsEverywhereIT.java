package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsTestFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets (issue 15): every mechanism of IMAP, POP3 and SMTP, in clear and over TLS, succeeding and failing, through
 * one mailgate at debug level; then no password, token, service password or CRAM/APOP digest, nor any of their
 * base64 or URL encodings, may appear in the error log (file and captured events, exception messages included), the
 * access log, stdout, stderr or the metrics scrape. EXTERNAL is left out: its credential is the client certificate,
 * and what it sends is a user name. The built-in authenticators' paths (users file, JWT, introspection) have their
 * own log checks: BuiltinAuthUsersIT#noPasswordOrHashReachesTheLog and OAuthLoginIT#noTokenOrClientSecretReachesTheLog.
 */
class SecretsEverywhereIT {

  private static final String USER = "test@example.com";
  private static final String BAD_USER = "bad@example.com";
  private static final String PASSWORD = "Cl13nt-Pa55+w/rd";
  private static final String TOKEN = "ya29.B34rer-T0ken+val/ue";
  private static final String SERVICE_PASSWORD = "Svc-Backend-Pa55";

  @TempDir Path dir;

  /** The client side of one connection, in clear or TLS. */
  interface Wire extends AutoCloseable {
    void send(String line) throws IOException;

    String readLine() throws IOException;

    @Override
    void close() throws IOException;
  }

  private final List<String> derivedSecrets = new ArrayList<>();

  @Test
  void noSecretOfAnyMechanismProtocolOrOutcomeIsWrittenAnywhere() throws Exception {
    TlsTestFiles tls = TlsTestFiles.shared();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(tee(out, console), true));
    System.setErr(new PrintStream(tee(err, console), true));
    try (FakeImapBackend imap = new FakeImapBackend();
        FakePop3Backend pop3 = new FakePop3Backend(USER, SERVICE_PASSWORD);
        FakeSmtpBackend smtp = new FakeSmtpBackend();
        FakeAuthServer auth = new FakeAuthServer(r -> answer(r, Map.of("imap", 0, "pop3", 0, "smtp", 0)))) {
      Map<String, Integer> backends = Map.of("imap", imap.port(), "pop3", pop3.port(), "smtp", smtp.port());
      auth.respondWith(r -> answer(r, backends));
      int[] ports = new int[7];
      for (int i = 0; i < ports.length; i++) {
        ports[i] = ProxyUnderTest.freePort();
      }
      String cert = "ssl_certificate " + tls.serverRsa.certificate() + "; ssl_certificate_key " + tls.serverRsa.key()
          + ";";
      String config = "pid mailgate.pid;\nerror_log stderr debug;\nevents { worker_connections 256; }\n"
          + "metrics_listen 127.0.0.1:" + ports[6] + ";\n"
          + "mail {\n  auth_http 127.0.0.1:" + auth.port() + "/auth;\n"
          + "  access_log " + dir.resolve("access.log") + ";\n"
          + "  imap_auth plain login cram-md5 xoauth2 oauthbearer;\n"
          + "  pop3_auth plain apop cram-md5 xoauth2 oauthbearer;\n"
          + "  smtp_auth plain login cram-md5 xoauth2 oauthbearer;\n"
          + "  server { listen 127.0.0.1:" + ports[0] + "; protocol imap; }\n"
          + "  server { listen 127.0.0.1:" + ports[1] + " ssl; protocol imap; " + cert + " }\n"
          + "  server { listen 127.0.0.1:" + ports[2] + "; protocol pop3; }\n"
          + "  server { listen 127.0.0.1:" + ports[3] + " ssl; protocol pop3; " + cert + " }\n"
          + "  server { listen 127.0.0.1:" + ports[4] + "; protocol smtp; server_name mx.test; }\n"
          + "  server { listen 127.0.0.1:" + ports[5] + " ssl; protocol smtp; server_name mx.test; " + cert + " }\n"
          + "}\n";
      int logins = 0;
      try (ProxyUnderTest proxy = ProxyUnderTest.startWholeConfig(dir, config);
          LogCapture log = LogCapture.onRootAtDebug()) {
        for (int t = 0; t < 2; t++) {
          boolean overTls = t == 1;
          for (String user : List.of(USER, BAD_USER)) {
            logins += imapLogins(() -> wire(ports[overTls ? 1 : 0], overTls, tls), user);
            logins += pop3Logins(() -> wire(ports[overTls ? 3 : 2], overTls, tls), user);
            logins += smtpLogins(() -> wire(ports[overTls ? 5 : 4], overTls, tls), user);
          }
        }
        Thread.sleep(300);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + ports[6] + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(auth.requests()).as("every login asked the auth service").hasSize(logins);
        Map<String, String> places = Map.of(
            "captured log events and exception messages", log.text(),
            "access log", Files.readString(dir.resolve("access.log"), StandardCharsets.ISO_8859_1),
            // In-process, the error log is written to stderr at debug (ProxyUnderTest), whatever error_log says.
            "stdout and stderr (the error log's lines)", console.toString(StandardCharsets.ISO_8859_1),
            "metrics scrape", metrics);
        // The places did see these sessions, so an absence means something.
        assertThat(places.get("stdout and stderr (the error log's lines)")).contains("client logged in", "client login failed", "auth http");
        assertThat(places.get("access log")).contains(USER);
        assertThat(metrics).contains("mailgate_");
        for (Map.Entry<String, String> place : places.entrySet()) {
          for (String secret : forbidden()) {
            assertThat(place.getValue()).as(place.getKey() + " must not hold " + secret).doesNotContain(secret);
          }
        }
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      LeakWatcher.assertNoLeaks();
    }
  }

  /** The auth service: Auth-Pass for the backend on success, a failure without Auth-Wait (closes) for BAD_USER. */
  private static String answer(FakeAuthServer.Request r, Map<String, Integer> backends) {
    String user = r.header("Auth-User");
    if (user == null || user.startsWith("bad")) {
      return FakeAuthServer.fail("denied");
    }
    return FakeAuthServer.ok(backends.get(r.header("Auth-Protocol")), "Auth-User: " + USER,
        "Auth-Pass: " + SERVICE_PASSWORD);
  }

  private int imapLogins(WireFactory connect, String user) throws Exception {
    boolean good = user.equals(USER);
    String ok = "OK";
    List<Exchange> exchanges = List.of(
        w -> step(w, "a1 LOGIN " + user + " " + PASSWORD, good ? "a1 OK" : "a1 NO"),
        w -> step(w, "a1 AUTHENTICATE PLAIN " + b64("\0" + user + "\0" + PASSWORD), good ? "a1 OK" : "a1 NO"),
        w -> {
          step(w, "a1 AUTHENTICATE LOGIN", "+ ");
          step(w, b64(user), "+ ");
          step(w, b64(PASSWORD), good ? "a1 OK" : "a1 NO");
        },
        w -> {
          String challenge = step(w, "a1 AUTHENTICATE CRAM-MD5", "+ ").substring(2);
          step(w, cramResponse(user, challenge), good ? "a1 OK" : "a1 NO");
        },
        w -> step(w, "a1 AUTHENTICATE XOAUTH2 " + xoauth2(user), good ? "a1 OK" : "a1 NO"),
        w -> step(w, "a1 AUTHENTICATE OAUTHBEARER " + oauthbearer(user), good ? "a1 OK" : "a1 NO"));
    return run(connect, "* OK", exchanges, ok);
  }

  private int pop3Logins(WireFactory connect, String user) throws Exception {
    boolean good = user.equals(USER);
    String want = good ? "+OK" : "-ERR";
    List<Exchange> exchanges = List.of(
        w -> {
          step(w, "USER " + user, "+OK");
          step(w, "PASS " + PASSWORD, want);
        },
        w -> step(w, "AUTH PLAIN " + b64("\0" + user + "\0" + PASSWORD), want),
        w -> {
          String challenge = step(w, "AUTH CRAM-MD5", "+ ").substring(2);
          step(w, cramResponse(user, challenge), want);
        },
        w -> step(w, "AUTH XOAUTH2 " + xoauth2(user), want),
        w -> step(w, "AUTH OAUTHBEARER " + oauthbearer(user), want));
    int n = run(connect, "+OK", exchanges, "+OK");
    // APOP needs the greeting's timestamp.
    try (Wire w = connect.open()) {
      Matcher stamp = Pattern.compile("<[^>]+>").matcher(w.readLine());
      assertThat(stamp.find()).as("APOP timestamp in the greeting").isTrue();
      String digest = hex(java.security.MessageDigest.getInstance("MD5")
          .digest((stamp.group() + PASSWORD).getBytes(StandardCharsets.ISO_8859_1)));
      derivedSecrets.add(digest);
      step(w, "APOP " + user + " " + digest, want);
    }
    return n + 1;
  }

  private int smtpLogins(WireFactory connect, String user) throws Exception {
    boolean good = user.equals(USER);
    String want = good ? "235" : "535";
    List<Exchange> exchanges = List.of(
        w -> step(w, "AUTH PLAIN " + b64("\0" + user + "\0" + PASSWORD), want),
        w -> {
          step(w, "AUTH LOGIN", "334");
          step(w, b64(user), "334");
          step(w, b64(PASSWORD), want);
        },
        w -> {
          String challenge = step(w, "AUTH CRAM-MD5", "334 ").substring(4);
          step(w, cramResponse(user, challenge), want);
        },
        w -> step(w, "AUTH XOAUTH2 " + xoauth2(user), want),
        w -> step(w, "AUTH OAUTHBEARER " + oauthbearer(user), want));
    return run(connect, "220 ", exchanges, null);
  }

  /** Each exchange on a new connection after the greeting (and EHLO for SMTP, when {@code ehlo} is null). */
  private static int run(WireFactory connect, String greeting, List<Exchange> exchanges, String unused)
      throws Exception {
    for (Exchange exchange : exchanges) {
      try (Wire w = connect.open()) {
        assertThat(w.readLine()).startsWith(greeting);
        if (greeting.equals("220 ")) {
          w.send("EHLO client.test");
          String line;
          while ((line = w.readLine()) != null && line.startsWith("250-")) {
            // capabilities
          }
          assertThat(line).startsWith("250 ");
        }
        exchange.run(w);
      }
    }
    return exchanges.size();
  }

  /** Sends {@code line}; the next reply line must start with {@code expected}; returns it. */
  private static String step(Wire w, String line, String expected) throws IOException {
    w.send(line);
    String reply = w.readLine();
    assertThat(reply).as("reply to " + line).startsWith(expected);
    return reply;
  }

  private String cramResponse(String user, String challengeB64) throws Exception {
    Mac mac = Mac.getInstance("HmacMD5");
    mac.init(new SecretKeySpec(PASSWORD.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
    String digest = hex(mac.doFinal(Base64.getDecoder().decode(challengeB64)));
    derivedSecrets.add(digest);
    return b64(user + " " + digest);
  }

  private static String xoauth2(String user) {
    return b64("user=" + user + "\1auth=Bearer " + TOKEN + "\1\1");
  }

  private static String oauthbearer(String user) {
    return b64("n,a=" + user + ",\1auth=Bearer " + TOKEN + "\1\1");
  }

  /** Every secret, with its base64 (of the value alone and of each SASL payload carrying it) and URL encoding. */
  private List<String> forbidden() {
    List<String> values = new ArrayList<>(List.of(PASSWORD, TOKEN, SERVICE_PASSWORD));
    values.addAll(derivedSecrets);
    List<String> all = new ArrayList<>();
    for (String v : values) {
      all.add(v);
      all.add(b64(v));
      all.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
      all.add(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    for (String user : List.of(USER, BAD_USER)) {
      all.add(b64("\0" + user + "\0" + PASSWORD));
      all.add(xoauth2(user));
      all.add(oauthbearer(user));
    }
    return all;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static Wire wire(int port, boolean overTls, TlsTestFiles tls) throws IOException {
    if (overTls) {
      TlsLineClient c = TlsLineClient.implicit(port, tls.client());
      return new Wire() {
        public void send(String line) throws IOException { c.send(line); }
        public String readLine() throws IOException { return c.readLine(); }
        public void close() throws IOException { c.close(); }
      };
    }
    LineClient c = new LineClient(port);
    return new Wire() {
      public void send(String line) throws IOException { c.send(line); }
      public String readLine() throws IOException { return c.readLine(); }
      public void close() throws IOException { c.close(); }
    };
  }

  private static OutputStream tee(OutputStream a, OutputStream b) {
    return new OutputStream() {
      @Override
      public void write(int x) throws IOException {
        a.write(x);
        synchronized (b) {
          b.write(x);
        }
      }

      @Override
      public void write(byte[] buf, int off, int len) throws IOException {
        a.write(buf, off, len);
        synchronized (b) {
          b.write(buf, off, len);
        }
      }
    };
  }

  @FunctionalInterface
  interface WireFactory {
    Wire open() throws IOException;
  }

  @FunctionalInterface
  interface Exchange {
    void run(Wire w) throws Exception;
  }
}
