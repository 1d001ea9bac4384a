package io.mailgate.testkit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One IMAP proxy scenario ({@link ProxyFixture}): a {@link FakeImapBackend} and an auth service answering OK towards
 * it.
 */
public final class ImapProxyFixture extends ProxyFixture<FakeImapBackend, ImapProxyFixture> {

  /** The greeting mailgate sends to IMAP clients. */
  public static final String GREETING = "* OK IMAP4 ready";

  /** A fixture with nginx-tests' backend. */
  public ImapProxyFixture(Path dir) throws IOException {
    this(dir, new FakeImapBackend());
  }

  /** A fixture with the given backend (closed with the fixture). */
  public ImapProxyFixture(Path dir, FakeImapBackend backend) throws IOException {
    super(dir, backend, request -> FakeAuthServer.ok(backend.port()), "protocol imap;");
  }

  /** A new client connection whose greeting has been read and checked. */
  public LineClient connect() throws IOException {
    LineClient client = new LineClient(port());
    String greeting = client.readLine();
    return greeted(client, greeting, GREETING.equals(greeting), GREETING);
  }

  /** A new client's {@code a1 LOGIN test@example.com secret} gets {@code reply}, then the connection closes (3 s). */
  public void assertLoginAnsweredThenClosed(String reply) throws IOException {
    try (LineClient c = connect()) {
      c.send("a1 LOGIN test@example.com secret");
      String line = c.readLine();
      if (!reply.equals(line)) {
        throw new AssertionError("expected <" + reply + "> to the login but got <" + line + ">");
      }
      if (!c.closedWithin(3000)) {
        throw new AssertionError("the connection stayed open after <" + reply + ">");
      }
    }
  }
}
