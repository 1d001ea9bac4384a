package io.mailgate.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared set-up of the integration tests that drive one proxy fixture per test: the fixture is made in the test's own
 * temporary directory before it (not started: each test starts mailgate with its own directives), closed after it
 * (before the directory is deleted), and the class ends with a check that no Netty buffer leaked.
 *
 * @param <F> the protocol's fixture
 */
public abstract class ProxyFixtureTestBase<F extends AutoCloseable> {

  /** The test's own directory, for the proxy's configuration. */
  @TempDir protected Path dir;
  /** The proxy, its fake backend and auth service; JUnit closes it after each test. */
  @AutoClose protected F fx;

  /** Makes the test's fixture in {@link #dir}. */
  @BeforeEach
  protected void openFixture() throws Exception {
    fx = newFixture(dir);
  }

  /** A new, not yet started fixture of one test that keeps its files in {@code testDir}. */
  protected abstract F newFixture(Path testDir) throws Exception;

  /** No Netty buffer leaked by the class's tests. */
  @AfterAll
  protected static void noBufferLeaked() throws Exception {
    LeakWatcher.assertNoLeaks();
  }
}
