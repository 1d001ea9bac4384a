package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.ImapProxyTestBase;
import io.mailgate.testkit.LineClient;
import org.junit.jupiter.api.Test;

/** {@code timeout} before login and towards the backend, and {@code proxy_timeout} after login. */
class TimeoutsIT extends ImapProxyTestBase {

  @Test
  void anIdleClientIsClosedAfterTimeout() throws Exception {
    fx.start("timeout 1s;");
    try (LineClient c = fx.connect()) {
      long start = System.nanoTime();
      assertThat(c.closedWithin(4000)).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 4000L);
    }
  }

  @Test
  void eachCommandRestartsTheClientTimer() throws Exception {
    fx.start("timeout 1s;");
    try (LineClient c = fx.connect()) {
      Thread.sleep(600);
      c.send("a1 NOOP");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      // 1.2 s after connecting, 0.6 s after the NOOP: still open.
      assertThat(c.closedWithin(600)).isFalse();
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
    }
  }

  @Test
  void anIdleProxiedSessionIsClosedAfterProxyTimeout() throws Exception {
    fx.start("proxy_timeout 1s;");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      long start = System.nanoTime();
      assertThat(c.closedWithin(4000)).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 4000L);
    }
  }

  @Test
  void aBackendThatNeverGreetsIsAnInternalErrorAfterTimeout() throws Exception {
    try (FakeImapBackend mute = new FakeImapBackend(null)) {
      fx.auth.respondWith(r -> FakeAuthServer.ok(mute.port()));
      fx.start("timeout 1s;");
      try (LineClient c = fx.connect()) {
        long start = System.nanoTime();
        c.send("a1 LOGIN test@example.com secret");
        assertThat(c.readLine()).isEqualTo("* BAD internal server error");
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 4000L);
        assertThat(c.closedWithin(3000)).isTrue();
      }
    }
  }

  @Test
  void aClientSilentInTheMiddleOfASaslExchangeIsClosedAfterTimeout() throws Exception {
    fx.start("timeout 1s;");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE PLAIN");
      assertThat(c.readLine()).isEqualTo("+ ");
      assertThat(c.closedWithin(4000)).isTrue();
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void theClientTimerRunsAgainAfterAFailedLoginWithAuthWait() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.fail("no", "Auth-Wait: 1"));
    fx.start("timeout 1s;");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com bad");
      // The wait itself does not count against the client (nginx sleeps on the same timer).
      assertThat(c.readLine()).isEqualTo("a1 NO no");
      long start = System.nanoTime();
      assertThat(c.closedWithin(4000)).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(800L, 4000L);
    }
  }
}
