package io.mailgate.it;

import static io.mailgate.testkit.SmtpProxyFixture.b64;
import static io.mailgate.testkit.SmtpProxyFixture.unb64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.SmtpProxyFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SMTP backend login (EHLO, XCLIENT, AUTH PLAIN, the smtp_auth none replay) and the relay after it. */
class SmtpBackendLoginIT {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dir;
  SmtpProxyFixture fx;

  @AfterEach
  void tearDown() throws Exception {
    if (fx != null) {
      fx.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  private SmtpProxyFixture fixture(FakeSmtpBackend backend) throws Exception {
    fx = new SmtpProxyFixture(dir, backend);
    return fx;
  }

  private static String plain(String user, String pass) {
    return "AUTH PLAIN " + b64("\0" + user + "\0" + pass);
  }

  /** Sends a short message (body as on the wire, dot-stuffed) and waits until the backend has it. */
  private void sendMessage(SmtpClient c, String body) throws Exception {
    assertThat(c.command("MAIL FROM:<a@example.com>")).startsWith("250 ");
    assertThat(c.command("RCPT TO:<b@example.com>")).startsWith("250 ");
    assertThat(c.command("DATA")).startsWith("354 ");
    c.sendRaw(body + "\r\n.\r\n");
    assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued");
    await().atMost(WAIT).until(() -> !fx.backend.messages().isEmpty());
  }

  @Test
  void xclientCarriesTheLoginAsXtextThenTheClientsEhloIsReplayed() throws Exception {
    fixture(new FakeSmtpBackend().announceXclient()).start("");
    String login = "us er+x=y@j\u00f6rg.example";
    int clientPort;
    try (SmtpClient c = fx.connect()) {
      clientPort = c.localPort();
      c.command("EHLO client.example");
      assertThat(c.command(plain(login, "secret"))).isEqualTo("235 2.0.0 OK");
      sendMessage(c, "Subject: hi\r\n\r\n..dotted line");
    }
    // The backend lists Postfix's attributes, so it gets every one that mailgate knows.
    assertThat(fx.backend.received()).startsWith("EHLO mx.test",
        "XCLIENT ADDR=127.0.0.1 PORT=" + clientPort + " PROTO=ESMTP HELO=client.example"
            + " LOGIN=us+20er+2Bx+3Dy@j+C3+B6rg.example NAME=[UNAVAILABLE] DESTADDR=127.0.0.1 DESTPORT=" + fx.port(),
        "EHLO client.example", "MAIL FROM:<a@example.com>");
    assertThat(fx.backend.messages()).containsExactly("Subject: hi\r\n\r\n.dotted line");
  }

  @Test
  void afterXclientsNewGreetingEhloIsSentAgainWhenTheClientSentNone() throws Exception {
    fixture(new FakeSmtpBackend()).start("");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command(plain("u@example.com", "secret"))).isEqualTo("235 2.0.0 OK");
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 Ok");
    }
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test",
        "XCLIENT ADDR=127.0.0.1 LOGIN=u@example.com NAME=[UNAVAILABLE]", "EHLO mx.test", "NOOP");
  }

  @Test
  void anIpv6ClientIsSentAsAddrIpv6() throws Exception {
    fixture(new FakeSmtpBackend()).startOn("[::1]", "");
    try (SmtpClient c = fx.connect("::1")) {
      c.command("HELO client.example");
      assertThat(c.command(plain("u", "secret"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.auth.requests().get(0).header("Client-IP")).isIn("::1", "0:0:0:0:0:0:0:1");
    assertThat(fx.backend.received()).startsWith("EHLO mx.test", "XCLIENT ADDR=IPV6:::1 LOGIN=u NAME=[UNAVAILABLE]",
        "HELO client.example");
  }

  @Test
  void aBackendRefusingXclientIsAnInternalErrorWithAClearLogLine() throws Exception {
    fixture(new FakeSmtpBackend().refuseXclient()).start("");
    try (LogCapture log = LogCapture.onRootAtDebug(); SmtpClient c = fx.connect()) {
      assertThat(c.command(plain("u", "secret"))).isEqualTo("451 4.3.2 Internal server error");
      assertThat(c.closedWithin(2000)).isTrue();
      assertThat(log.text()).contains("upstream rejected XCLIENT: \"550 5.7.0 Error: insufficient authorization\"")
          .contains("does not announce XCLIENT");
    }
  }

  @Test
  void withProxyPassErrorMessageTheRefusalReachesTheClient() throws Exception {
    fixture(new FakeSmtpBackend().announceXclient().refuseXclient()).start("proxy_pass_error_message on;");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command(plain("u", "secret"))).isEqualTo("550 5.7.0 Error: insufficient authorization");
    }
  }

  @Test
  void withXclientOffOnlyOurOwnHeloOrEhloIsSent() throws Exception {
    fixture(new FakeSmtpBackend()).start("xclient off;");
    try (SmtpClient c = fx.connect()) {
      c.command("HELO client.example");
      assertThat(c.command(plain("u", "secret"))).isEqualTo("235 2.0.0 OK");
      assertThat(c.command("RSET")).isEqualTo("250 2.0.0 Ok");
    }
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command(plain("u", "secret"))).isEqualTo("235 2.0.0 OK");
      assertThat(c.command("RSET")).isEqualTo("250 2.0.0 Ok");
    }
    assertThat(fx.backend.received()).containsExactly("HELO mx.test", "RSET", "EHLO mx.test", "RSET");
  }

  @Test
  void proxySmtpAuthLogsInWithAuthPlainAndNoLoginInXclient() throws Exception {
    fixture(new FakeSmtpBackend()).start("proxy_smtp_auth on;");
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command(plain("u@example.com", "secret"))).isEqualTo("235 2.0.0 OK");
    }
    List<String> received = fx.backend.received();
    assertThat(received).hasSize(4);
    assertThat(received.subList(0, 3)).containsExactly("EHLO mx.test",
        "XCLIENT ADDR=127.0.0.1 NAME=[UNAVAILABLE]", "EHLO client.example");
    assertThat(received.get(3)).startsWith("AUTH PLAIN ");
    assertThat(unb64(received.get(3).substring(11))).isEqualTo("\0u@example.com\0secret");
  }

  @Test
  void proxySmtpAuthSendsALongTokenOnTheContinuationLine() throws Exception {
    fixture(new FakeSmtpBackend()).start("xclient off; proxy_smtp_auth on; smtp_auth xoauth2;");
    String token = "t".repeat(4096);
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("AUTH XOAUTH2 " + b64("user=u@example.com\u0001auth=Bearer " + token + "\u0001\u0001")))
          .isEqualTo("235 2.0.0 OK");
    }
    List<String> received = fx.backend.received();
    assertThat(received).hasSize(3);
    assertThat(received.subList(0, 2)).containsExactly("HELO mx.test", "AUTH PLAIN");
    assertThat(unb64(received.get(2))).isEqualTo("\0u@example.com\0" + token);
  }

  @Test
  void proxySmtpAuthUsesTheAuthServicesUserAndPassword() throws Exception {
    fixture(new FakeSmtpBackend()).start("xclient off; proxy_smtp_auth on;");
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-User: mailbox", "Auth-Pass: backendpw"));
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command(plain("alias", "secret"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(unb64(fx.backend.received().get(1).substring(11))).isEqualTo("\0mailbox\0backendpw");
  }

  @Test
  void proxySmtpAuthWithoutAnyPasswordIsAnInternalError() throws Exception {
    fixture(new FakeSmtpBackend()).start("proxy_smtp_auth on; smtp_auth external;");
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH EXTERNAL")).isEqualTo("334 VXNlcm5hbWU6");
      assertThat(c.command(b64("u@example.com"))).isEqualTo("451 4.3.2 Internal server error");
    }
  }

  @Test
  void smtpAuthNoneAsksTheAuthServiceAndReplaysTheEnvelope() throws Exception {
    fixture(new FakeSmtpBackend()).start("smtp_auth plain none;");
    fx.auth.respondWith(r -> "none".equals(r.header("Auth-Method")) ? FakeAuthServer.ok(fx.backend.port())
        : FakeAuthServer.fail("nope", "Auth-Wait: 1"));
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command(plain("stale@example.com", "bad"))).isEqualTo("535 5.7.0 nope");
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=100")).isEqualTo("250 2.0.0 OK");
      assertThat(c.command("RCPT TO:<b@example.com>")).isEqualTo("250 2.1.5 Ok");
      assertThat(c.command("RCPT TO:<c@example.com>")).isEqualTo("250 2.1.5 Ok");
      assertThat(c.command("RCPT TO:<reject@example.com>")).startsWith("550 5.1.1");
      assertThat(c.command("DATA")).startsWith("354 ");
      c.sendRaw("Subject: mx\r\n\r\nbody\r\n.\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued");
    }
    FakeAuthServer.Request none = fx.auth.requests().get(1);
    assertThat(none.header("Auth-Method")).isEqualTo("none");
    assertThat(none.header("Auth-User")).isEmpty();
    assertThat(none.header("Auth-Pass")).isEmpty();
    assertThat(none.header("Auth-SMTP-Helo")).isEqualTo("client.example");
    assertThat(none.header("Auth-SMTP-From")).isEqualTo("MAIL FROM:<a@example.com> SIZE=100");
    assertThat(none.header("Auth-SMTP-To")).isEqualTo("RCPT TO:<b@example.com>");
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test", "XCLIENT ADDR=127.0.0.1 NAME=[UNAVAILABLE]",
        "EHLO client.example", "MAIL FROM:<a@example.com> SIZE=100", "RCPT TO:<b@example.com>",
        "RCPT TO:<c@example.com>", "RCPT TO:<reject@example.com>", "DATA");
    assertThat(fx.backend.messages()).containsExactly("Subject: mx\r\n\r\nbody");
  }

  @Test
  void smtpAuthNoneRefusalUsesAuthErrorCode() throws Exception {
    fixture(new FakeSmtpBackend()).start("smtp_auth none;");
    fx.auth.respondWith(r -> FakeAuthServer.fail("no such user", "Auth-Error-Code: 550 5.1.1", "Auth-Wait: 1"));
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("MAIL FROM:<a@example.com>")).isEqualTo("250 2.0.0 OK");
      assertThat(c.command("RCPT TO:<nobody@example.com>")).isEqualTo("550 5.1.1 no such user");
      assertThat(c.command("RSET")).isEqualTo("250 2.0.0 OK");
    }
    assertThat(fx.backend.received()).isEmpty();
  }

  @Test
  void pipelinedAuthMailRcptAndDataAreNeitherLostNorReordered() throws Exception {
    fixture(new FakeSmtpBackend()).start("smtp_capabilities PIPELINING;");
    try (SmtpClient c = fx.connect()) {
      c.sendRaw("EHLO client.example\r\n" + plain("u", "secret") + "\r\nMAIL FROM:<a@example.com>\r\n"
          + "RCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250-PIPELINING", "250 AUTH PLAIN LOGIN");
      assertThat(c.reply()).isEqualTo("235 2.0.0 OK");
      assertThat(c.reply()).isEqualTo("250 2.1.0 Ok");
      assertThat(c.reply()).isEqualTo("250 2.1.5 Ok");
      assertThat(c.reply()).isEqualTo("250 2.1.5 Ok");
      assertThat(c.reply()).startsWith("354 ");
      c.sendRaw("pipelined body\r\n.\r\nQUIT\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued");
      assertThat(c.reply()).isEqualTo("221 2.0.0 Bye");
    }
    assertThat(fx.backend.messages()).containsExactly("pipelined body");
  }

  @Test
  void pipelinedEnvelopeLongerThanSmtpClientBufferIsReplayedAndRelayedInOrder() throws Exception {
    fixture(new FakeSmtpBackend()).start("smtp_auth none; smtp_client_buffer 128; xclient off;");
    try (SmtpClient c = fx.connect()) {
      c.sendRaw("EHLO client.example\r\nMAIL FROM:<test@example.com> SIZE=100\r\nRCPT TO:<foo@example.com>\r\n"
          + "RCPT TO:<bar@example.com>\r\nRCPT TO:<baz@example.com>\r\nRCPT TO:<foobar@example.com>\r\nRSET\r\n");
      c.readReply();
      assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
      for (int i = 0; i < 4; i++) {
        assertThat(c.reply()).isEqualTo("250 2.1.5 Ok");
      }
      assertThat(c.reply()).isEqualTo("250 2.0.0 Ok");
    }
    assertThat(fx.backend.received()).containsExactly("EHLO mx.test", "MAIL FROM:<test@example.com> SIZE=100",
        "RCPT TO:<foo@example.com>", "RCPT TO:<bar@example.com>", "RCPT TO:<baz@example.com>",
        "RCPT TO:<foobar@example.com>", "RSET");
  }

  @Test
  void extensionsPromisedToTheClientButNotAnnouncedByTheBackendAreLogged() throws Exception {
    fixture(new FakeSmtpBackend().extensions("PIPELINING", "SIZE 5000000"))
        .start("smtp_capabilities \"SIZE 10485760\" PIPELINING CHUNKING DSN;");
    try (LogCapture log = LogCapture.onRootAtDebug(); SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command(plain("u", "secret"))).isEqualTo("235 2.0.0 OK");
      await().atMost(WAIT).until(() -> log.text().contains("\"DSN\""));
      assertThat(log.text()).contains("upstream does not announce \"CHUNKING\" promised to the client")
          .contains("upstream does not announce \"DSN\"").doesNotContain("\"SIZE\"").doesNotContain("\"PIPELINING\"");
    }
  }

  @Test
  void theAuthPlainDataNeverReachesTheLog() throws Exception {
    fixture(new FakeSmtpBackend()).start("proxy_smtp_auth on;");
    try (LogCapture log = LogCapture.onRootAtDebug(); SmtpClient c = fx.connect()) {
      String ir = b64("\0u\0hunter2-secret");
      assertThat(c.command("AUTH PLAIN " + ir)).isEqualTo("235 2.0.0 OK");
      assertThat(c.command("QUIT")).isEqualTo("221 2.0.0 Bye");
      assertThat(log.text()).doesNotContain("hunter2").doesNotContain(ir);
    }
  }
}
