package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * One SMTP proxy scenario: a {@link FakeSmtpBackend}, a fake auth service answering OK towards it (re-script it with
 * {@code auth.respondWith}), and mailgate started on demand with {@code server_name mx.test}. Close it after each test.
 */
public final class SmtpProxyFixture implements AutoCloseable {

  /** The greeting mailgate sends to SMTP clients. */
  public static final String GREETING = "220 mx.test ESMTP ready";

  /** The backend the auth service routes to. */
  public final FakeSmtpBackend backend;
  /** The auth service mailgate asks. */
  public final FakeAuthServer auth;
  private final Path dir;
  private ProxyUnderTest proxy;

  /** A fixture with the default backend. */
  public SmtpProxyFixture(Path dir) throws IOException {
    this(dir, new FakeSmtpBackend());
  }

  /** A fixture with the given backend (closed with the fixture). */
  public SmtpProxyFixture(Path dir, FakeSmtpBackend backend) throws IOException {
    this.dir = dir;
    this.backend = backend;
    this.auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.port()));
  }

  /** Starts mailgate with one SMTP server on 127.0.0.1 carrying {@code serverDirectives} (each ending in ';'). */
  public SmtpProxyFixture start(String serverDirectives) throws Exception {
    return start("127.0.0.1", serverDirectives);
  }

  /** Starts mailgate listening on {@code host} ({@code [::1]} for IPv6). */
  public SmtpProxyFixture start(String host, String serverDirectives) throws Exception {
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen " + host + ":%PORT%; protocol smtp; server_name mx.test; " + serverDirectives + " }");
    return this;
  }

  /** mailgate's port. */
  public int port() {
    return proxy.port();
  }

  /** A new client connection on 127.0.0.1 whose greeting has been read and checked. */
  public SmtpClient connect() throws IOException {
    return connect("127.0.0.1");
  }

  /** A new client connection to {@code host} whose greeting has been read and checked. */
  public SmtpClient connect(String host) throws IOException {
    SmtpClient client = new SmtpClient(host, port());
    String greeting = client.readLine();
    if (!GREETING.equals(greeting)) {
      client.close();
      throw new AssertionError("expected greeting <" + GREETING + "> but got <" + greeting + ">");
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
    backend.close();
  }
}
