package io.mailgate.e2e;

import io.mailgate.testkit.FakeAuthServer;
import java.util.function.Function;

/** The mailbox the acceptance tests log in to, and the auth service answer for a backend that only knows passwords. */
final class TestMailbox {

  /** The mailbox's login. */
  static final String USER = "test@example.com";
  /** The mailbox's password at the backend. */
  static final String PASSWORD = "secret";
  /** The bearer token the tests' auth services accept for {@link #USER}. */
  static final String TOKEN = "tok-123";

  private TestMailbox() {}

  /**
   * An operator's auth service in front of a password-only backend on {@code backendPort}: passwords are checked and
   * routed there; bearer tokens are mapped to the mailbox's password login, as nginx deployments in front of
   * password-only backends do. Anything else fails with a one-second Auth-Wait.
   */
  static Function<FakeAuthServer.Request, String> passwordBackendAuth(int backendPort) {
    return request -> {
      String method = request.header("Auth-Method");
      String user = request.header("Auth-User");
      String pass = request.header("Auth-Pass");
      if ("plain".equals(method) && USER.equals(user) && PASSWORD.equals(pass)) {
        return FakeAuthServer.ok(backendPort);
      }
      if (("oauthbearer".equals(method) || "xoauth2".equals(method)) && TOKEN.equals(pass)) {
        return FakeAuthServer.ok(backendPort, "Auth-User: " + USER, "Auth-Pass: " + PASSWORD);
      }
      return FakeAuthServer.fail("Invalid login or password", "Auth-Wait: 1");
    };
  }
}
