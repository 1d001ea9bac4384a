package io.mailgate.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (JUnit extension auto-detection, see junit-platform.properties): after a class has
 * run, any Netty buffer it leaked fails it. Netty only reports a leak once the buffer is garbage-collected, which
 * {@link LeakWatcher#assertNoLeaks()} forces.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    LeakWatcher.install();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    LeakWatcher.assertNoLeaks();
  }
}
