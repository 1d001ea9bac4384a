package io.mailgate.it;

import static io.mailgate.testkit.SmtpProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.SmtpProxyFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xclient on} against recording backends: one that lists Postfix's XCLIENT attributes gets them all (the
 * client's address and port, PROTO and HELO from its EHLO/HELO, the address it connected to), one with a partial list
 * only those, and one with a bare XCLIENT nginx's command; after each, the client's own HELO/EHLO goes again. The
 * client connects from 127.0.0.8, so its address cannot be mistaken for mailgate's.
 */
class SmtpXclientIT {

  private static final String CLIENT_ADDRESS = "127.0.0.8";

  @TempDir Path dir;
  SmtpProxyFixture fx;

  @AfterEach
  void tearDown() throws Exception {
    if (fx != null) {
      fx.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  /** Logs in from 127.0.0.8 after {@code helo} and one NOOP; returns the client's port. */
  private int logIn(String helo) throws Exception {
    try (SmtpClient c = new SmtpClient(CLIENT_ADDRESS, "127.0.0.1", fx.port())) {
      assertThat(c.readLine()).isEqualTo(SmtpProxyFixture.GREETING);
      assertThat(c.command(helo)).startsWith("250");
      assertThat(c.command("AUTH PLAIN " + b64("\0user@example.com\0secret"))).isEqualTo("235 2.0.0 OK");
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 Ok");
      return c.localPort();
    }
  }

  @Test
  void postfixsListGetsPortProtoHeloAndTheListenerTheClientConnectedTo() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().announceXclient()).start("xclient on;");
    int port = logIn("EHLO client.example");
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test",
        "XCLIENT ADDR=" + CLIENT_ADDRESS + " PORT=" + port + " PROTO=ESMTP HELO=client.example"
            + " LOGIN=user@example.com NAME=[UNAVAILABLE] DESTADDR=127.0.0.1 DESTPORT=" + fx.port(),
        "EHLO client.example", "NOOP");
  }

  @Test
  void aHeloClientIsProtoSmtpAndItsHeloIsSentAgain() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().announceXclient()).start("");
    int port = logIn("HELO old.example");
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test",
        "XCLIENT ADDR=" + CLIENT_ADDRESS + " PORT=" + port + " PROTO=SMTP HELO=old.example"
            + " LOGIN=user@example.com NAME=[UNAVAILABLE] DESTADDR=127.0.0.1 DESTPORT=" + fx.port(),
        "HELO old.example", "NOOP");
  }

  @Test
  void aPartialListGetsOnlyWhatItNames() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().announceXclient("NAME ADDR PORT LOGIN")).start("");
    int port = logIn("EHLO client.example");
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test",
        "XCLIENT ADDR=" + CLIENT_ADDRESS + " PORT=" + port + " LOGIN=user@example.com NAME=[UNAVAILABLE]",
        "EHLO client.example", "NOOP");
  }

  @Test
  void aBareXclientGetsNginxsCommand() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().announceXclient("")).start("");
    logIn("EHLO client.example");
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test",
        "XCLIENT ADDR=" + CLIENT_ADDRESS + " LOGIN=user@example.com NAME=[UNAVAILABLE]", "EHLO client.example", "NOOP");
  }

  @Test
  void aBackendAnnouncingNoXclientGetsNginxsCommandAsInNginxTests() throws Exception {
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend()).start("");
    logIn("EHLO client.example");
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test",
        "XCLIENT ADDR=" + CLIENT_ADDRESS + " LOGIN=user@example.com NAME=[UNAVAILABLE]", "EHLO client.example", "NOOP");
  }
}
