package io.mailgate.testkit;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared set-up of the integration tests that drive one {@link ImapProxyFixture} per test: the fixture is made in the
 * test's own temporary directory before it (not started: each test starts mailgate with its own directives), closed
 * after it (before the directory is deleted), and the class ends with a check that no Netty buffer leaked.
 */
public abstract class ImapProxyTestBase {

  /** The test's own directory, for the proxy's configuration. */
  @TempDir protected Path dir;
  /** The proxy, its fake backend and auth service; JUnit closes it after each test. */
  @AutoClose protected ImapProxyFixture fx;

  /** Makes the test's fixture in {@link #dir}, around the backend {@link #newBackend()} gives. */
  @BeforeEach
  protected void openImapFixture() throws Exception {
    fx = new ImapProxyFixture(dir, newBackend());
  }

  /** The fake backend of one test (closed with the fixture); a subclass overrides this to script another one. */
  protected FakeImapBackend newBackend() throws IOException {
    return new FakeImapBackend();
  }

  /** No Netty buffer leaked by the class's tests. */
  @AfterAll
  protected static void noBufferLeaked() throws Exception {
    LeakWatcher.assertNoLeaks();
  }
}
