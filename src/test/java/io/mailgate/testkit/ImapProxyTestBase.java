package io.mailgate.testkit;

import java.io.IOException;
import java.nio.file.Path;

/** {@link ProxyFixtureTestBase} for IMAP: an {@link ImapProxyFixture} per test, around a backend a subclass picks. */
public abstract class ImapProxyTestBase extends ProxyFixtureTestBase<ImapProxyFixture> {

  @Override
  protected ImapProxyFixture newFixture(Path testDir) throws IOException {
    return new ImapProxyFixture(testDir, newBackend());
  }

  /** The fake backend of one test (closed with the fixture); a subclass overrides this to script another one. */
  protected FakeImapBackend newBackend() throws IOException {
    return new FakeImapBackend();
  }
}
