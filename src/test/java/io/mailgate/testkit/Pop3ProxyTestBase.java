package io.mailgate.testkit;

import java.io.IOException;
import java.nio.file.Path;

/** {@link ProxyFixtureTestBase} for POP3: a {@link Pop3ProxyFixture} per test, with mail_pop3.t's auth script. */
public abstract class Pop3ProxyTestBase extends ProxyFixtureTestBase<Pop3ProxyFixture> {

  @Override
  protected Pop3ProxyFixture newFixture(Path testDir) throws IOException {
    return new Pop3ProxyFixture(testDir);
  }
}
