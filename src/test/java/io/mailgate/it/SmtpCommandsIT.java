package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.SmtpProxyFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SMTP commands before login, over loopback: replies, capabilities, strict line ends, limits, greeting delay. */
class SmtpCommandsIT {

  @TempDir Path dir;
  SmtpProxyFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new SmtpProxyFixture(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    LeakWatcher.assertNoLeaks();
  }

  @Test
  void ehloListsTheConfiguredCapabilitiesThenTheAuthMechanismsInNginxOrder() throws Exception {
    fx.start("smtp_auth oauthbearer login cram-md5 plain; smtp_capabilities \"SIZE 10485760\" 8BITMIME;");
    try (SmtpClient c = fx.connect()) {
      c.send("EHLO client.example");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250-SIZE 10485760", "250-8BITMIME",
          "250 AUTH PLAIN LOGIN CRAM-MD5 OAUTHBEARER");
    }
  }

  @Test
  void ehloWithOnlySmtpAuthNoneHasNoAuthLine() throws Exception {
    fx.start("smtp_auth none; smtp_capabilities PIPELINING;");
    try (SmtpClient c = fx.connect()) {
      c.send("ehlo client.example");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 PIPELINING");
    }
  }

  @Test
  void heloAnswersWithTheServerNameAndNeedsExactlyOneArgument() throws Exception {
    fx.start("");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("HELO client.example")).isEqualTo("250 mx.test");
      assertThat(c.command("HELO")).isEqualTo("501 5.5.4 Invalid argument");
      assertThat(c.command("EHLO a b")).isEqualTo("501 5.5.4 Invalid argument");
    }
  }

  @Test
  void noopRsetAndQuitAreAnsweredLocally() throws Exception {
    fx.start("");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 OK");
      assertThat(c.command("RSET")).isEqualTo("250 2.0.0 OK");
      assertThat(c.command("QUIT")).isEqualTo("221 2.0.0 Bye");
      assertThat(c.closedWithin(2000)).isTrue();
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void unknownCommandsAndVrfyAreInvalid() throws Exception {
    fx.start("");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("FOO bar")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("VRFY postmaster")).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("STARTTLS")).isEqualTo("500 5.5.1 Invalid command");
    }
  }

  @Test
  void mailNeedsAuthenticationUnlessSmtpAuthNoneAndRcptNeedsMail() throws Exception {
    fx.start("");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("MAIL FROM:<a@example.com>")).isEqualTo("530 5.7.1 Authentication required");
      assertThat(c.command("RCPT TO:<b@example.com>")).isEqualTo("503 5.5.1 Bad sequence of commands");
      assertThat(c.command("AUTH")).isEqualTo("501 5.5.4 Invalid argument");
    }
  }

  @Test
  void secondMailFromIsABadSequenceUntilRset() throws Exception {
    fx.start("smtp_auth none;");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("MAIL FROM:<a@example.com>")).isEqualTo("250 2.0.0 OK");
      assertThat(c.command("MAIL FROM:<a@example.com>")).isEqualTo("503 5.5.1 Bad sequence of commands");
      assertThat(c.command("RSET")).isEqualTo("250 2.0.0 OK");
      assertThat(c.command("MAIL")).isEqualTo("501 5.5.4 Invalid argument");
      assertThat(c.command("MAIL FROM:<a@example.com>")).isEqualTo("250 2.0.0 OK");
    }
  }

  @Test
  void aBareLfIsNoLineEndAndTheLineIsRefusedAtItsCrLf() throws Exception {
    fx.start("smtp_auth none;");
    try (SmtpClient c = fx.connect()) {
      c.sendRaw("MAIL FROM:<a@example.com>\nX-Injected: 1\r\n");
      assertThat(c.reply()).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("MAIL FROM:<a@example.com>")).isEqualTo("250 2.0.0 OK");
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void aBareCrIsRefused() throws Exception {
    fx.start("smtp_auth none;");
    try (SmtpClient c = fx.connect()) {
      c.sendRaw("HELO a\rb\r\n");
      assertThat(c.reply()).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 OK");
    }
  }

  @Test
  void maxErrorsClosesAfterTheLastErrorReply() throws Exception {
    fx.start("max_errors 2;");
    try (SmtpClient c = fx.connect()) {
      assertThat(c.command("FOO")).startsWith("500 ");
      assertThat(c.command("BAR")).startsWith("500 ");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void maxErrorsCountsPipelinedErrorsToo() throws Exception {
    fx.start("max_errors 2;");
    try (SmtpClient c = fx.connect()) {
      c.sendRaw("FOO\r\nBAR\r\nBAZZ\r\n");
      assertThat(c.reply()).startsWith("500 ");
      assertThat(c.reply()).startsWith("500 ");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void aLineLongerThanSmtpClientBufferIsRefusedAndTheSessionEnds() throws Exception {
    fx.start("smtp_client_buffer 128;");
    try (SmtpClient c = fx.connect()) {
      c.send("HELO " + "x".repeat(200));
      assertThat(c.reply()).isEqualTo("500 5.5.1 Invalid command");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void anAuthLineMayBeLongerThanSmtpClientBuffer() throws Exception {
    fx.start("smtp_client_buffer 128;");
    fx.auth.respondWith(r -> io.mailgate.testkit.FakeAuthServer.fail("nope", "Auth-Wait: 1"));
    try (SmtpClient c = fx.connect()) {
      String secret = "s".repeat(4000);
      c.send("AUTH PLAIN " + SmtpProxyFixture.b64("\0user\0" + secret));
      assertThat(c.reply()).isEqualTo("535 5.7.0 nope");
    }
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).hasSize(4000);
  }

  @Test
  void aClientTalkingBeforeTheDelayedGreetingIsRejectedAndClosed() throws Exception {
    fx.start("smtp_greeting_delay 1s;");
    try (SmtpClient c = new SmtpClient("127.0.0.1", fx.port())) {
      c.send("HELO example.com");
      assertThat(c.reply()).isEqualTo("503 5.5.0 Improper use of SMTP command pipelining");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void aPatientClientGetsTheDelayedGreeting() throws Exception {
    fx.start("smtp_greeting_delay 300ms;");
    long start = System.nanoTime();
    try (SmtpClient c = fx.connect()) {
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250);
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 OK");
    }
  }

  @Test
  void theSessionTimesOutWithoutACompleteCommand() throws Exception {
    fx.start("timeout 500ms;");
    try (SmtpClient c = fx.connect()) {
      c.sendRaw("NOO");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }
}
