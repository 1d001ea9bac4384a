package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * One IMAP proxy scenario: a fake backend, a fake auth service answering OK towards it (re-script it with
 * {@code auth.respondWith}), and mailgate started on demand with the given directives. Close it after each test.
 */
public final class ImapProxyFixture implements AutoCloseable {

  /** The greeting mailgate sends to IMAP clients. */
  public static final String GREETING = "* OK IMAP4 ready";

  /** The backend the auth service routes to. */
  public final FakeImapBackend backend;
  /** The auth service mailgate asks. */
  public final FakeAuthServer auth;
  private final Path dir;
  private ProxyUnderTest proxy;

  /** A fixture with nginx-tests' backend. */
  public ImapProxyFixture(Path dir) throws IOException {
    this(dir, new FakeImapBackend());
  }

  /** A fixture with the given backend (closed with the fixture). */
  public ImapProxyFixture(Path dir, FakeImapBackend backend) throws IOException {
    this.dir = dir;
    this.backend = backend;
    this.auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.port()));
  }

  /** Starts mailgate with one IMAP server carrying {@code serverDirectives} (each ending in ';'). */
  public ImapProxyFixture start(String serverDirectives) throws Exception {
    return start("", serverDirectives);
  }

  /**
   * Starts mailgate; {@code mailDirectives} go in the mail block after {@code auth_http} (which they may not repeat),
   * {@code serverDirectives} in the IMAP server block.
   */
  public ImapProxyFixture start(String mailDirectives, String serverDirectives) throws Exception {
    return startRaw("auth_http http://127.0.0.1:" + auth.port() + "/auth;\n" + mailDirectives, serverDirectives);
  }

  /** Starts mailgate with {@code mailDirectives} as the only mail-level directives (auth_http included). */
  public ImapProxyFixture startRaw(String mailDirectives, String serverDirectives) throws Exception {
    proxy = ProxyUnderTest.start(dir, mailDirectives + "\nserver { listen 127.0.0.1:%PORT%; protocol imap; "
        + serverDirectives + " }");
    return this;
  }

  /** mailgate's port. */
  public int port() {
    return proxy.port();
  }

  /** A new client connection whose greeting has been read and checked. */
  public LineClient connect() throws IOException {
    LineClient client = new LineClient(port());
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
