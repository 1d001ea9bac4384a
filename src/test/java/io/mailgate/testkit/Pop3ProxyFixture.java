package io.mailgate.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * One POP3 proxy scenario: a {@link FakePop3Backend}, a fake auth service, and mailgate started on demand with the
 * given directives. The default auth script is mail_pop3.t's: {@code test@example.com}/{@code secret} is OK; an
 * APOP/CRAM-MD5 digest of 32 zeros with a salt, EXTERNAL for that user, and the bearer token {@code secretok} are OK
 * with {@code Auth-Pass: secret}; anything else fails with {@code auth failed} and {@code Auth-Wait: 1}.
 */
public final class Pop3ProxyFixture extends ProxyFixture<FakePop3Backend, Pop3ProxyFixture> {

  /** The greeting without APOP/CRAM-MD5. */
  public static final String GREETING = "+OK POP3 ready";

  private String greeting;

  /** A fixture with nginx-tests' backend. */
  public Pop3ProxyFixture(Path dir) throws IOException {
    this(dir, new FakePop3Backend());
  }

  private Pop3ProxyFixture(Path dir, FakePop3Backend backend) throws IOException {
    super(dir, backend, nginxTestsScript(backend.port()), "protocol pop3;");
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

  /** A new client connection whose greeting has been read and checked to start with {@code +OK POP3 ready}. */
  public LineClient connect() throws IOException {
    LineClient client = new LineClient(port());
    greeting = client.readLine();
    return greeted(client, greeting, greeting != null && greeting.startsWith(GREETING), GREETING + "...");
  }

  /** The greeting read by the last {@link #connect()}. */
  public String lastGreeting() {
    return greeting;
  }
}
