package io.mailgate.testkit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One SMTP proxy scenario ({@link ProxyFixture}): a {@link FakeSmtpBackend}, an auth service answering OK towards it,
 * and servers with {@code server_name mx.test}.
 */
public final class SmtpProxyFixture extends ProxyFixture<FakeSmtpBackend, SmtpProxyFixture> {

  /** The greeting mailgate sends to SMTP clients. */
  public static final String GREETING = "220 mx.test ESMTP ready";

  /** A fixture with the default backend. */
  public SmtpProxyFixture(Path dir) throws IOException {
    this(dir, new FakeSmtpBackend());
  }

  /** A fixture with the given backend (closed with the fixture). */
  public SmtpProxyFixture(Path dir, FakeSmtpBackend backend) throws IOException {
    super(dir, backend, request -> FakeAuthServer.ok(backend.port()), "protocol smtp; server_name mx.test;");
  }

  /** Starts mailgate listening on {@code host} ({@code [::1]} for IPv6). */
  public SmtpProxyFixture startOn(String host, String serverDirectives) throws Exception {
    return startOn(host, authHttp(), serverDirectives);
  }

  /** A new client connection on 127.0.0.1 whose greeting has been read and checked. */
  public SmtpClient connect() throws IOException {
    return connect("127.0.0.1");
  }

  /** A new client connection to {@code host} whose greeting has been read and checked. */
  public SmtpClient connect(String host) throws IOException {
    SmtpClient client = new SmtpClient(host, port());
    String greeting = client.readLine();
    return greeted(client, greeting, GREETING.equals(greeting), GREETING);
  }
}
