package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code bin/mailgate} process (started by the test as {@link #mailgate}) in front of a scripted auth service
 * that routes every login to a fake IMAP backend, with an IMAP and an SMTP port chosen free; all closed after each
 * test.
 */
abstract class MailgateProcessTestBase {

  @TempDir Path dir;

  FakeImapBackend backend;
  FakeAuthServer auth;
  int imapPort;
  int smtpPort;
  MailgateProcess mailgate;

  @BeforeEach
  void startPeers() throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.port()));
    imapPort = ProxyUnderTest.freePort();
    smtpPort = ProxyUnderTest.freePort();
  }

  @AfterEach
  void stopAll() throws IOException {
    if (mailgate != null) {
      mailgate.close();
    }
    auth.close();
    backend.close();
  }

  /** A new IMAP connection through mailgate, logged in to the fake backend. */
  LineClient loggedIn() throws IOException {
    LineClient c = new LineClient(imapPort);
    assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
    c.send("a1 LOGIN alice secret");
    assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
    return c;
  }
}
