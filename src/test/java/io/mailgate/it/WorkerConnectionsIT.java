package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code events { worker_connections }}: client, auth and backend connections all count, per event-loop thread. */
class WorkerConnectionsIT {

  @TempDir Path dir;

  @Test
  void connectionsPastTheLimitAreRefusedAndLoginsNeedSlotsForAuthAndBackend() throws Exception {
    try (FakeImapBackend backend = new FakeImapBackend();
        FakeAuthServer auth = new FakeAuthServer(r -> FakeAuthServer.ok(backend.port()))) {
      try (ProxyUnderTest proxy = ProxyUnderTest.startWholeConfig(dir, config(auth.port(), 2));
          LineClient first = new LineClient(proxy.port());
          LineClient second = new LineClient(proxy.port())) {
        assertThat(first.readLine()).isEqualTo("* OK IMAP4 ready");
        assertThat(second.readLine()).isEqualTo("* OK IMAP4 ready");
        try (LineClient third = new LineClient(proxy.port())) {
          assertThat(third.closedWithin(2000)).as("a third connection is over the limit").isTrue();
        }
        // Both slots are held by clients: a login finds none for its auth request.
        first.send("a1 LOGIN test@example.com secret");
        assertThat(first.readLine()).isEqualTo("* BAD internal server error");
        assertThat(auth.requests()).isEmpty();
      }
      // Three slots: the client, its auth request, then (the auth connection closed) its backend connection.
      try (ProxyUnderTest proxy = ProxyUnderTest.startWholeConfig(dir, config(auth.port(), 2 + 1));
          LineClient c = new LineClient(proxy.port())) {
        c.readLine();
        c.send("a1 LOGIN test@example.com secret");
        assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      }
    }
    LeakWatcher.assertNoLeaks();
  }

  private static String config(int authPort, int limit) {
    return "pid mailgate.pid;\nerror_log stderr info;\nworker_processes 1;\nevents { worker_connections " + limit
        + "; }\nmail { auth_http 127.0.0.1:" + authPort + "; server { listen 127.0.0.1:%PORT%; protocol imap; } }\n";
  }
}
