package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One TLS proxy scenario: a fake backend per protocol, a fake auth service, and mailgate started with any number of
 * server blocks (each on its own free port, implicit TLS or cleartext with STARTTLS). The auth script accepts
 * {@code test@example.com} with the password {@code secret}, or with EXTERNAL, routes to the backend of the request's
 * {@code Auth-Protocol} and always answers {@code Auth-Pass: secret}; anything else fails without {@code Auth-Wait}.
 */
public final class TlsProxyFixture implements AutoCloseable {

  /** The user every backend knows. */
  public static final String USER = "test@example.com";
  /** The IMAP greeting. */
  public static final String IMAP_GREETING = "* OK IMAP4 ready";
  /** The POP3 greeting. */
  public static final String POP3_GREETING = "+OK POP3 ready";
  /** The SMTP greeting (every server block has {@code server_name mx.test}). */
  public static final String SMTP_GREETING = "220 mx.test ESMTP ready";

  /** The IMAP backend. */
  public final FakeImapBackend imap;
  /** The POP3 backend (accepts only {@link #USER} / {@code secret}). */
  public final FakePop3Backend pop3;
  /** The SMTP backend. */
  public final FakeSmtpBackend smtp;
  /** The auth service. */
  public final FakeAuthServer auth;
  private final Path dir;
  private final StringBuilder servers = new StringBuilder();
  private ProxyUnderTest proxy;

  /** A fixture with the default backends. */
  public TlsProxyFixture(Path dir) throws IOException {
    this(dir, new FakeImapBackend());
  }

  /** A fixture with the given IMAP backend (e.g. {@link FakeImapBackend#withMailbox()} for client libraries). */
  public TlsProxyFixture(Path dir, FakeImapBackend imap) throws IOException {
    this.dir = dir;
    this.imap = imap;
    this.pop3 = new FakePop3Backend();
    this.smtp = new FakeSmtpBackend();
    this.auth = new FakeAuthServer(this::answer);
  }

  private String answer(FakeAuthServer.Request request) {
    boolean known = USER.equals(request.header("Auth-User"));
    boolean proven = "secret".equals(request.header("Auth-Pass")) || "external".equals(request.header("Auth-Method"));
    if (!known || !proven) {
      return FakeAuthServer.fail("auth failed");
    }
    String protocol = String.valueOf(request.header("Auth-Protocol")).toLowerCase(Locale.ROOT);
    int port = protocol.equals("pop3") ? pop3.port() : protocol.equals("smtp") ? smtp.port() : imap.port();
    return FakeAuthServer.ok(port, "Auth-Pass: secret");
  }

  /**
   * Adds a server block and returns its port.
   *
   * @param protocol imap, pop3 or smtp
   * @param ssl {@code listen ... ssl} (implicit TLS)
   * @param directives more server directives, each ending in ';'
   */
  public int server(String protocol, boolean ssl, String directives) throws IOException {
    return server(protocol, ssl ? " ssl" : "", directives);
  }

  /** Adds a server block whose {@code listen} carries {@code listenParameters} (e.g. " ssl proxy_protocol"). */
  public int server(String protocol, String listenParameters, String directives) throws IOException {
    int port = ProxyUnderTest.freePort();
    servers.append("server { listen 127.0.0.1:").append(port).append(listenParameters).append("; protocol ")
        .append(protocol).append("; server_name mx.test; ").append(directives).append(" }\n");
    return port;
  }

  /** Starts mailgate; {@code mailDirectives} go in the mail block after {@code auth_http}. */
  public TlsProxyFixture start(String mailDirectives) throws Exception {
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n" + mailDirectives + "\n"
        + servers);
    return this;
  }

  /** The auth requests so far. */
  public List<FakeAuthServer.Request> authRequests() {
    return auth.requests();
  }

  /** The only auth request so far; fails when there is not exactly one. */
  public FakeAuthServer.Request onlyAuthRequest() {
    if (auth.requests().size() != 1) {
      throw new AssertionError("expected one auth request, got " + auth.requests().size());
    }
    return auth.requests().get(0);
  }

  /** Base64 of the UTF-8 bytes of {@code text}. */
  public static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** SASL PLAIN's initial response for {@link #USER} and {@code password}. */
  public static String plain(String password) {
    return b64("\0" + USER + "\0" + password);
  }

  @Override
  public void close() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    auth.close();
    imap.close();
    pop3.close();
    smtp.close();
  }
}
