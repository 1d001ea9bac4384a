package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Function;

/**
 * One proxy scenario of a protocol: a fake backend, a fake auth service (re-script it with {@code auth.respondWith}),
 * and mailgate started on demand with one server of the protocol carrying the test's directives. Close it after each
 * test. The subclasses say which protocol, backend and greeting.
 *
 * @param <B> the protocol's fake backend
 * @param <F> the fixture itself, so that the start methods chain
 */
public abstract class ProxyFixture<B extends AutoCloseable, F extends ProxyFixture<B, F>> implements AutoCloseable {

  /** The backend the auth service routes to. */
  public final B backend;
  /** The auth service mailgate asks. */
  public final FakeAuthServer auth;
  private final Path dir;
  private final String serverBasics;
  private ProxyUnderTest proxy;

  /**
   * A fixture whose auth service answers with {@code authScript} and whose server block starts with
   * {@code serverBasics} (e.g. {@code protocol imap;}).
   */
  protected ProxyFixture(Path dir, B backend, Function<FakeAuthServer.Request, String> authScript,
      String serverBasics) throws IOException {
    this.dir = dir;
    this.backend = backend;
    this.auth = new FakeAuthServer(authScript);
    this.serverBasics = serverBasics;
  }

  /** Starts mailgate with one server on 127.0.0.1 carrying {@code serverDirectives} (each ending in ';'). */
  public F start(String serverDirectives) throws Exception {
    return start("", serverDirectives);
  }

  /**
   * Starts mailgate; {@code mailDirectives} go in the mail block after {@code auth_http} (which they may not repeat),
   * {@code serverDirectives} in the server block.
   */
  public F start(String mailDirectives, String serverDirectives) throws Exception {
    return startRaw(authHttp() + mailDirectives, serverDirectives);
  }

  /** The {@code auth_http} directive naming the fixture's auth service, with its line end. */
  protected String authHttp() {
    return "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n";
  }

  /** Starts mailgate with {@code mailDirectives} as the only mail-level directives (auth_http included). */
  public F startRaw(String mailDirectives, String serverDirectives) throws Exception {
    return startOn("127.0.0.1", mailDirectives, serverDirectives);
  }

  /** Starts mailgate listening on {@code host} ({@code [::1]} for IPv6). */
  protected F startOn(String host, String mailDirectives, String serverDirectives) throws Exception {
    proxy = ProxyUnderTest.start(dir, mailDirectives + "\nserver { listen " + host + ":%PORT%; " + serverBasics + " "
        + serverDirectives + " }");
    return self();
  }

  @SuppressWarnings("unchecked")
  private F self() {
    return (F) this;
  }

  /** mailgate's port. */
  public int port() {
    return proxy.port();
  }

  /** {@code client}, whose first line {@code greeting} is what {@code expected} says ({@code ok}); else closed. */
  protected static <C extends AutoCloseable> C greeted(C client, String greeting, boolean ok, String expected)
      throws IOException {
    if (!ok) {
      try {
        client.close();
      } catch (Exception e) {
        // the greeting is what went wrong
      }
      throw new AssertionError("expected greeting <" + expected + "> but got <" + greeting + ">");
    }
    return client;
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
    try {
      backend.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }
}
