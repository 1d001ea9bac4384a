package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.IdpKey;
import io.mailgate.testkit.IdpServer;
import io.mailgate.testkit.IdpToken;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsTestFiles;
import io.mailgate.testkit.UsersFileWriter;
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
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Secrets (issue 15): every mechanism of IMAP, POP3 and SMTP, in clear and over TLS, succeeding and failing, at debug
 * level, through each way mailgate checks a login ({@link Route}): the auth service ({@code auth_http}), its own
 * users file and JWT validation against a JWKS, and RFC 7662 introspection. Afterwards no password, token, password
 * hash, service, master or introspection-client secret, CRAM/APOP digest, nor any of their base64 or URL encodings
 * (nor the SASL payloads and HTTP Basic credentials carrying them) may appear in any error-log file (the main one and
 * a server's own), the captured log events with their exception messages, the access log, stdout, stderr or the
 * metrics scrape. EXTERNAL is left out: its credential is the client certificate, and what it sends is a user name.
 * The logins of a run go in parallel: failed built-in logins wait a second before the reply (as Auth-Wait).
 */
class SecretsEverywhereIT {

  private static final String USER = "test@example.com";
  /** Denied by the auth service. */
  private static final String BAD_USER = "bad@example.com";
  /** Not in the users file. */
  private static final String NOBODY = "nobody@example.com";
  private static final String PASSWORD = "Cl13nt-Pa55+w/rd";
  private static final String WRONG_PASSWORD = "Wr0ng-Pa55+w/rd";
  private static final String TOKEN = "ya29.B34rer-T0ken+val/ue";
  private static final String SERVICE_PASSWORD = "Svc-Backend-Pa55";
  private static final String MASTER = "master";
  private static final String MASTER_PASSWORD = "Ma5ter-Pa55+w/rd";
  private static final String CLIENT_ID = "mailgate";
  private static final String CLIENT_SECRET = "Idp-Cl1ent+S3cret/x";

  @TempDir Path dir;

  /** Who checks the logins of one run, and which kinds of mechanism it can check. */
  enum Route {
    AUTH_HTTP(EnumSet.allOf(Kind.class)),
    USERS_FILE_AND_JWT(EnumSet.of(Kind.PASSWORD, Kind.TOKEN)),
    INTROSPECTION(EnumSet.of(Kind.TOKEN));

    final Set<Kind> kinds;

    Route(Set<Kind> kinds) {
      this.kinds = kinds;
    }
  }

  /** What a mechanism's client proves: the password itself, a digest of it, or a bearer token. */
  enum Kind { PASSWORD, DIGEST, TOKEN }

  /** What differs between the three protocols' dialogues (RFC 3501, RFC 5034, RFC 4954). */
  enum Proto {
    IMAP("* OK", "a1 AUTHENTICATE ", "+ ", "a1 OK", "a1 NO"),
    POP3("+OK", "AUTH ", "+ ", "+OK", "-ERR"),
    SMTP("220 ", "AUTH ", "334 ", "235", "535");

    final String greeting;
    final String auth;
    final String continuation;
    final String success;
    final String failure;

    Proto(String greeting, String auth, String continuation, String success, String failure) {
      this.greeting = greeting;
      this.auth = auth;
      this.continuation = continuation;
      this.success = success;
      this.failure = failure;
    }

    String directive() {
      return name().toLowerCase() + "_auth";
    }
  }

  /** Each way a client proves who it is, the protocols that have it and its {@code *_auth} word. */
  enum Mechanism {
    IMAP_LOGIN(Kind.PASSWORD, "plain", Proto.IMAP),
    POP3_USER(Kind.PASSWORD, "plain", Proto.POP3),
    PLAIN(Kind.PASSWORD, "plain", Proto.values()),
    LOGIN(Kind.PASSWORD, "login", Proto.IMAP, Proto.SMTP),
    CRAM_MD5(Kind.DIGEST, "cram-md5", Proto.values()),
    APOP(Kind.DIGEST, "apop", Proto.POP3),
    XOAUTH2(Kind.TOKEN, "xoauth2", Proto.values()),
    OAUTHBEARER(Kind.TOKEN, "oauthbearer", Proto.values());

    final Kind kind;
    final String word;
    final Set<Proto> protocols;

    Mechanism(Kind kind, String word, Proto... protocols) {
      this.kind = kind;
      this.word = word;
      this.protocols = Set.of(protocols);
    }
  }

  /** One client's credentials: a password (for PASSWORD and DIGEST mechanisms) or a token; whether they pass. */
  record Login(String user, String password, String token, boolean succeeds) {
    boolean fits(Mechanism m) {
      return m.kind == Kind.TOKEN ? token != null : password != null;
    }
  }

  /** The client side of one connection, in clear or TLS. */
  interface Wire extends AutoCloseable {
    void send(String line) throws IOException;

    String readLine() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** Every secret of a run and every payload carrying one, as the client made them (the logins run in parallel). */
  private final Set<String> secrets = ConcurrentHashMap.newKeySet();
  private final Set<String> payloads = ConcurrentHashMap.newKeySet();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Route.class)
  void noSecretOfAnyMechanismProtocolOrOutcomeIsWrittenAnywhere(Route route) throws Exception {
    TlsTestFiles tls = TlsTestFiles.shared();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(tee(out, console), true));
    System.setErr(new PrintStream(tee(err, console), true));
    secrets.addAll(List.of(PASSWORD, WRONG_PASSWORD, TOKEN, SERVICE_PASSWORD, MASTER_PASSWORD, CLIENT_SECRET));
    // What mailgate sends the backend (AUTH PLAIN with proxy_smtp_auth) and the introspection endpoint (RFC 7617).
    payloads.addAll(List.of(b64("\0" + USER + "\0" + SERVICE_PASSWORD),
        b64("\0" + USER + "*" + MASTER + "\0" + MASTER_PASSWORD),
        b64(USER + "*" + MASTER + "\0" + USER + "*" + MASTER + "\0" + MASTER_PASSWORD),
        b64(CLIENT_ID + ":" + CLIENT_SECRET), b64(CLIENT_ID + ":" + urlEncode(CLIENT_SECRET))));
    boolean builtin = route != Route.AUTH_HTTP;
    try (FakeImapBackend imap = new FakeImapBackend();
        // The auth service's Auth-Pass, or the master login mailgate makes for its own authenticators.
        FakePop3Backend pop3 = builtin ? new FakePop3Backend(USER + "*" + MASTER, MASTER_PASSWORD)
            : new FakePop3Backend(USER, SERVICE_PASSWORD);
        FakeSmtpBackend smtp = new FakeSmtpBackend();
        FakeAuthServer auth = new FakeAuthServer(r -> FakeAuthServer.fail("not yet"));
        IdpServer idp = IdpServer.start()) {
      Map<Proto, Integer> backends = Map.of(Proto.IMAP, imap.port(), Proto.POP3, pop3.port(), Proto.SMTP,
          smtp.port());
      auth.respondWith(r -> answer(r, backends));
      idp.client(CLIENT_ID, CLIENT_SECRET);
      List<Login> logins = logins(route, idp);
      Map<Proto, int[]> ports = new LinkedHashMap<>();
      for (Proto p : Proto.values()) {
        ports.put(p, new int[] {ProxyUnderTest.freePort(), ProxyUnderTest.freePort()});
      }
      int metricsPort = ProxyUnderTest.freePort();
      String config = config(route, tls, ports, backends, metricsPort, auth.port(), idp);
      try (ProxyUnderTest proxy = ProxyUnderTest.startWholeConfig(dir, config);
          LogCapture log = LogCapture.onRootAtDebug()) {
        proxy.reopenLogs();
        int attempts = runInParallel(route, logins, ports, tls);
        Thread.sleep(300);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Map<String, String> places = new LinkedHashMap<>();
        places.put("captured log events and exception messages", log.text());
        try (Stream<Path> files = Files.list(dir)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
            places.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.ISO_8859_1));
          }
        }
        places.put("stdout and stderr", console.toString(StandardCharsets.ISO_8859_1));
        places.put("metrics scrape", metrics);
        // The places did see these sessions, so an absence means something.
        for (String errorLog : List.of("error.log", "tls-sessions.log", "stdout and stderr")) {
          assertThat(places.get(errorLog)).as(errorLog).contains("client logged in", "client login failed");
        }
        assertThat(places.get("access.log")).contains(USER);
        assertThat(metrics).contains("mailgate_");
        switch (route) {
          case AUTH_HTTP -> assertThat(auth.requests()).as("every login asked the auth service").hasSize(attempts);
          case USERS_FILE_AND_JWT -> assertThat(idp.jwksFetches()).as("keys fetched from the JWKS").isPositive();
          case INTROSPECTION -> assertThat(idp.introspections()).as("tokens introspected").isPositive();
        }
        if (route != Route.AUTH_HTTP) {
          assertThat(auth.requests()).as("the built-in authenticators checked every login").isEmpty();
          assertThat(places.get("stdout and stderr")).contains("oauth token rejected");
        }
        List<String> forbidden = forbidden();
        for (Map.Entry<String, String> place : places.entrySet()) {
          for (String secret : forbidden) {
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

  /**
   * The clients of a route. The auth service accepts USER and denies BAD_USER whatever they send; the built-in
   * authenticators accept the right password and a good token and refuse a wrong password, an unknown user, an
   * expired token, a token whose signature is not the key's, and a token the introspection endpoint calls inactive.
   */
  private List<Login> logins(Route route, IdpServer idp) throws IOException {
    switch (route) {
      case AUTH_HTTP:
        return List.of(new Login(USER, PASSWORD, TOKEN, true), new Login(BAD_USER, PASSWORD, TOKEN, false));
      case USERS_FILE_AND_JWT:
        // USER logs in; the other schemes' lines are there to be read (and not logged) with the file.
        UsersFileWriter users = new UsersFileWriter(dir.resolve("users"))
            .user(USER, PASSWORD, UsersFileWriter.Scheme.BCRYPT)
            .user("sha@example.com", PASSWORD, UsersFileWriter.Scheme.SHA512_CRYPT)
            .user("argon@example.com", PASSWORD, UsersFileWriter.Scheme.ARGON2ID).write();
        for (String hash : users.hashes()) {
          secrets.add(hash);
          secrets.add(hash.substring(hash.lastIndexOf('$') + 1));
        }
        IdpKey key = idp.publish(IdpKey.rs256("rsa-1"));
        // Same kid, another key: the signature does not verify with the published key.
        IdpKey forger = IdpKey.rs256("rsa-1");
        List<Login> logins = new ArrayList<>();
        logins.add(new Login(USER, PASSWORD, null, true));
        logins.add(new Login(USER, WRONG_PASSWORD, null, false));
        logins.add(new Login(NOBODY, PASSWORD, null, false));
        logins.add(new Login(USER, null, jwt(idp.token(key)), true));
        logins.add(new Login(USER, null, jwt(idp.token(key).expired()), false));
        logins.add(new Login(USER, null, jwt(idp.token(forger)), false));
        return logins;
      default:
        String active = "opaque-Act1ve+t0ken/" + System.nanoTime();
        String inactive = "opaque-Inact1ve+t0ken/" + System.nanoTime();
        idp.registerActive(active, USER, IdpToken.SCOPE);
        idp.registerInactive(inactive);
        secrets.addAll(List.of(active, inactive));
        return List.of(new Login(USER, null, active, true), new Login(USER, null, inactive, false));
    }
  }

  /** The token for USER, remembered as forbidden with its signature on its own. */
  private String jwt(IdpToken token) {
    String jwt = token.email(USER).sign();
    secrets.add(jwt);
    secrets.add(jwt.substring(jwt.lastIndexOf('.') + 1));
    return jwt;
  }

  private String config(Route route, TlsTestFiles tls, Map<Proto, int[]> ports, Map<Proto, Integer> backends,
      int metricsPort, int authPort, IdpServer idp) throws IOException {
    StringBuilder mail = new StringBuilder();
    mail.append("  access_log ").append(dir.resolve("access.log")).append(";\n");
    switch (route) {
      case AUTH_HTTP -> mail.append("  auth_http 127.0.0.1:").append(authPort).append("/auth;\n");
      case USERS_FILE_AND_JWT -> mail.append("  auth_users ").append(dir.resolve("users")).append(";\n")
          .append("  auth_oauth_jwks ").append(idp.jwksUri()).append(";\n");
      case INTROSPECTION -> mail.append("  auth_oauth_introspection ").append(idp.introspectionUri()).append(' ')
          .append(CLIENT_ID).append(' ')
          .append(Files.writeString(dir.resolve("client.secret"), CLIENT_SECRET + "\n")).append(";\n");
    }
    if (route != Route.AUTH_HTTP) {
      mail.append("  auth_oauth_issuer ").append(idp.issuer()).append(";\n  auth_oauth_audience ")
          .append(IdpToken.AUDIENCE).append(";\n  auth_oauth_scope ").append(IdpToken.SCOPE).append(";\n")
          .append("  proxy_backend_login master;\n  proxy_backend_master ").append(MASTER).append(' ')
          .append(Files.writeString(dir.resolve("master.secret"), MASTER_PASSWORD + "\n")).append(";\n");
    }
    String tlsServer = "ssl_certificate " + tls.serverRsa.certificate() + "; ssl_certificate_key " + tls.serverRsa.key()
        + "; error_log " + dir.resolve("tls-sessions.log") + " debug;";
    for (Proto p : Proto.values()) {
      Set<String> words = new LinkedHashSet<>();
      for (Mechanism m : Mechanism.values()) {
        if (m.protocols.contains(p) && route.kinds.contains(m.kind)) {
          words.add(m.word);
        }
      }
      mail.append("  ").append(p.directive()).append(' ').append(String.join(" ", words)).append(";\n");
    }
    for (Proto p : Proto.values()) {
      String server = "protocol " + p.name().toLowerCase() + ";";
      if (p == Proto.SMTP) {
        server += " server_name mx.test;";
      }
      if (route != Route.AUTH_HTTP) {
        server += " proxy_backend 127.0.0.1:" + backends.get(p) + ";";
        if (p == Proto.SMTP) {
          // The master password then travels to the backend in AUTH PLAIN.
          server += " xclient off; proxy_smtp_auth on;";
        }
      }
      mail.append("  server { listen 127.0.0.1:").append(ports.get(p)[0]).append("; ").append(server).append(" }\n");
      mail.append("  server { listen 127.0.0.1:").append(ports.get(p)[1]).append(" ssl; ").append(server)
          .append(' ').append(tlsServer).append(" }\n");
    }
    return "pid mailgate.pid;\nerror_log " + dir.resolve("error.log") + " debug;\nerror_log stderr debug;\n"
        + "events { worker_connections 256; }\nmetrics_listen 127.0.0.1:" + metricsPort + ";\n"
        + "mail {\n" + mail + "}\n";
  }

  /** The auth service: Auth-Pass for the backend on success, a failure without Auth-Wait (closes) for BAD_USER. */
  private static String answer(FakeAuthServer.Request r, Map<Proto, Integer> backends) {
    String user = r.header("Auth-User");
    if (user == null || user.startsWith("bad")) {
      return FakeAuthServer.fail("denied");
    }
    Proto p = Proto.valueOf(r.header("Auth-Protocol").toUpperCase());
    return FakeAuthServer.ok(backends.get(p), "Auth-User: " + USER, "Auth-Pass: " + SERVICE_PASSWORD);
  }

  /**
   * Every fitting login with every mechanism the route checks, on every protocol, in clear and over TLS, each on a
   * connection of its own; returns how many ran.
   */
  private int runInParallel(Route route, List<Login> logins, Map<Proto, int[]> ports, TlsTestFiles tls)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      Map<String, Future<?>> attempts = new LinkedHashMap<>();
      for (Proto p : Proto.values()) {
        for (boolean overTls : new boolean[] {false, true}) {
          int port = ports.get(p)[overTls ? 1 : 0];
          for (Mechanism m : Mechanism.values()) {
            if (!m.protocols.contains(p) || !route.kinds.contains(m.kind)) {
              continue;
            }
            for (Login login : logins) {
              if (login.fits(m)) {
                attempts.put(p + " " + m + (overTls ? " over TLS " : " in clear ") + login,
                    pool.submit(() -> attempt(p, m, login, () -> wire(port, overTls, tls))));
              }
            }
          }
        }
      }
      for (Map.Entry<String, Future<?>> a : attempts.entrySet()) {
        try {
          a.getValue().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw new AssertionError(a.getKey() + ": " + e.getCause().getMessage(), e.getCause());
        }
      }
      return attempts.size();
    } finally {
      pool.shutdownNow();
    }
  }

  /** One login on a fresh connection: greeting (and EHLO), the mechanism's dialogue, the outcome expected. */
  private Void attempt(Proto p, Mechanism m, Login login, WireFactory connect) throws Exception {
    try (Wire w = connect.open()) {
      String greeting = w.readLine();
      assertThat(greeting).startsWith(p.greeting);
      if (p == Proto.SMTP) {
        w.send("EHLO client.test");
        String line;
        while ((line = w.readLine()) != null && line.startsWith("250-")) {
          // capabilities
        }
        assertThat(line).startsWith("250 ");
      }
      String user = login.user();
      String outcome = login.succeeds() ? p.success : p.failure;
      switch (m) {
        case IMAP_LOGIN -> step(w, "a1 LOGIN " + user + " " + login.password(), outcome);
        case POP3_USER -> {
          step(w, "USER " + user, "+OK");
          step(w, "PASS " + login.password(), outcome);
        }
        case PLAIN -> step(w, p.auth + "PLAIN " + payload("\0" + user + "\0" + login.password()), outcome);
        case LOGIN -> {
          step(w, p.auth + "LOGIN", p.continuation);
          step(w, b64(user), p.continuation);
          step(w, b64(login.password()), outcome);
        }
        case CRAM_MD5 -> {
          String challenge = step(w, p.auth + "CRAM-MD5", p.continuation).substring(p.continuation.length());
          step(w, cramResponse(user, login.password(), challenge), outcome);
        }
        case APOP -> {
          Matcher stamp = Pattern.compile("<[^>]+>").matcher(greeting);
          assertThat(stamp.find()).as("APOP timestamp in the greeting").isTrue();
          String digest = hex(MessageDigest.getInstance("MD5")
              .digest((stamp.group() + login.password()).getBytes(StandardCharsets.ISO_8859_1)));
          secrets.add(digest);
          step(w, "APOP " + user + " " + digest, outcome);
        }
        case XOAUTH2 -> bearer(w, p, "XOAUTH2 " + payload("user=" + user + "\1auth=Bearer " + login.token() + "\1\1"),
            "", login);
        case OAUTHBEARER -> bearer(w, p, "OAUTHBEARER " + payload("n,a=" + user + ",\1auth=Bearer " + login.token()
            + "\1\1"), "AQ==", login);
      }
    }
    return null;
  }

  /**
   * A bearer-token login; a refusal may come as the RFC 7628 §3.2.2 error challenge, which the client acknowledges
   * with {@code dummy} (RFC 7628 §3.2.3; an empty line for XOAUTH2) before the failure reply.
   */
  private static void bearer(Wire w, Proto p, String command, String dummy, Login login) throws IOException {
    String reply = step(w, p.auth + command, login.succeeds() ? p.success : "");
    if (!login.succeeds()) {
      if (reply.startsWith(p.continuation)) {
        reply = step(w, dummy, p.failure);
      }
      assertThat(reply).as("reply to a refused token").startsWith(p.failure);
    }
  }

  /** Sends {@code line}; the next reply line must start with {@code expected}; returns it. */
  private static String step(Wire w, String line, String expected) throws IOException {
    w.send(line);
    String reply = w.readLine();
    assertThat(reply).as("reply to " + line).startsWith(expected);
    return reply;
  }

  private String cramResponse(String user, String password, String challengeB64) throws Exception {
    Mac mac = Mac.getInstance("HmacMD5");
    mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
    String digest = hex(mac.doFinal(Base64.getDecoder().decode(challengeB64)));
    secrets.add(digest);
    return payload(user + " " + digest);
  }

  /** The base64 of a SASL message carrying a secret, remembered as forbidden. */
  private String payload(String message) {
    String encoded = b64(message);
    payloads.add(encoded);
    return encoded;
  }

  /** Every secret, raw, in base64 and URL-encoded (both forms of a space), and every payload carrying one. */
  private List<String> forbidden() {
    List<String> all = new ArrayList<>(payloads);
    for (String v : secrets) {
      all.add(v);
      all.add(b64(v));
      all.add(urlEncode(v));
      all.add(urlEncode(v).replace("+", "%20"));
    }
    return all;
  }

  private static String urlEncode(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
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

  @FunctionalInterface
  interface WireFactory {
    Wire open() throws IOException;
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
}
