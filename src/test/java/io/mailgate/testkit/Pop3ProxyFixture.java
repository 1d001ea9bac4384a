package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Function;

/**
 * One POP3 proxy scenario: a {@link FakePop3Backend}, a fake auth service, and mailgate started on demand with the
 * given directives. The default auth script is mail_pop3.t's: {@code test@example.com}/{@code secret} is OK; an
 * APOP/CRAM-MD5 digest of 32 zeros with a salt, EXTERNAL for that user, and the bearer token {@code secretok} are OK
 * with {@code Auth-Pass: secret}; anything else fails with {@code auth failed} and {@code Auth-Wait: 1}.
 */
public final class Pop3ProxyFixture implements AutoCloseable {

  /** The greeting without APOP/CRAM-MD5. */
  public static final String GREETING = "+OK POP3 ready";

  /** The backend the auth service routes to. */
  public final FakePop3Backend backend;
  /** The auth service mailgate asks. */
  public final FakeAuthServer auth;
  private final Path dir;
  private ProxyUnderTest proxy;
  private String greeting;

  /** A fixture with nginx-tests' backend. */
  public Pop3ProxyFixture(Path dir) throws IOException {
    this.dir = dir;
    this.backend = new FakePop3Backend();
    this.auth = new FakeAuthServer(nginxTestsScript(backend.port()));
  }

  /** mail_pop3.t's auth location, as a script. */
  public static Function<FakeAuthServer.Request, String> nginxTestsScript(int backendPort) {
    return request -> {
      String user = request.header("Auth-User");
      String pass = request.header("Auth-Pass");
      String method = request.header("Auth-Method");
      if ("test@example.com".equals(user) && "secret".equals(pass)) {
        return FakeAuthServer.ok(backendPort);
      }
      if ("test@example.com".equals(user) && request.header("Auth-Salt") != null && "0".repeat(32).equals(pass)) {
        return FakeAuthServer.ok(backendPort, "Auth-Pass: secret");
      }
      if ("external".equals(method) && "test@example.com".equals(user) && "".equals(pass)) {
        return FakeAuthServer.ok(backendPort, "Auth-Pass: secret");
      }
      if ("secretok".equals(pass)) {
        return FakeAuthServer.ok(backendPort, "Auth-Pass: secret");
      }
      return FakeAuthServer.fail("auth failed", "Auth-Wait: 1");
    };
  }

  /** Starts mailgate with one POP3 server carrying {@code serverDirectives} (each ending in ';'). */
  public Pop3ProxyFixture start(String serverDirectives) throws Exception {
    return start("", serverDirectives);
  }

  /** Starts mailgate; {@code mailDirectives} go in the mail block after {@code auth_http}. */
  public Pop3ProxyFixture start(String mailDirectives, String serverDirectives) throws Exception {
    return startRaw("auth_http http://127.0.0.1:" + auth.port() + "/auth;\n" + mailDirectives, serverDirectives);
  }

  /** Starts mailgate with {@code mailDirectives} as the only mail-level directives (auth_http included). */
  public Pop3ProxyFixture startRaw(String mailDirectives, String serverDirectives) throws Exception {
    proxy = ProxyUnderTest.start(dir, mailDirectives + "\nserver { listen 127.0.0.1:%PORT%; protocol pop3; "
        + serverDirectives + " }");
    return this;
  }

  /** mailgate's port. */
  public int port() {
    return proxy.port();
  }

  /** A new client connection whose greeting has been read and checked to start with {@code +OK POP3 ready}. */
  public LineClient connect() throws IOException {
    LineClient client = new LineClient(port());
    greeting = client.readLine();
    if (greeting == null || !greeting.startsWith(GREETING)) {
      client.close();
      throw new AssertionError("expected greeting <" + GREETING + "...> but got <" + greeting + ">");
    }
    return client;
  }

  /** The greeting read by the last {@link #connect()}. */
  public String lastGreeting() {
    return greeting;
  }

  /** Base64 of the UTF-8 bytes of {@code text}. */
  public static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Base64-decodes to UTF-8 text. */
  public static String unb64(String text) {
    return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    auth.close();
    backend.close();
  }
}
