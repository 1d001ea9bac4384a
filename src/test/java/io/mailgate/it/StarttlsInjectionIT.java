package io.mailgate.it;

import static io.mailgate.testkit.TlsProxyFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsTestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS command injection (CVE-2011-0411 and its kin): whatever a man in the middle appends in cleartext after
 * STARTTLS is discarded, never executed inside TLS; cleartext sent after the reply ends the connection; and what the
 * client said before the upgrade (POP3 USER, an SMTP envelope) is forgotten once it completes (RFC 3207 §4.2,
 * RFC 2595 §4).
 */
class StarttlsInjectionIT {

  private static final TlsTestFiles FILES = TlsTestFiles.shared();
  private static final String CERTIFICATE = TlsTestFiles.certificate(FILES.serverRsa);

  @TempDir Path dir;
  TlsProxyFixture fx;

  @BeforeEach
  void fixture() throws Exception {
    fx = new TlsProxyFixture(dir);
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  private TlsLineClient connect(int port, String greeting) throws Exception {
    TlsLineClient c = TlsLineClient.plain(port);
    assertThat(c.readLine()).isEqualTo(greeting);
    return c;
  }

  @Test
  void imapCommandsPipelinedAfterStarttlsAreDiscardedNotRunInsideTls() throws Exception {
    int port = fx.server("imap", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.sendRaw("a1 STARTTLS\r\na2 LOGIN " + USER + " secret\r\na3 CAPABILITY\r\n");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.startTls(FILES.client());
      c.send("b1 NOOP");
      assertThat(c.readLine()).as("nothing of a2/a3 is answered").isEqualTo("b1 OK completed");
      assertThat(fx.authRequests()).isEmpty();
      c.send("b2 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("b2 OK LOGIN completed");
    }
    assertThat(fx.onlyAuthRequest().header("Auth-Login-Attempt")).isEqualTo("1");
  }

  @Test
  void aPartialLinePipelinedAfterStarttlsDoesNotPrefixTheFirstCommandInsideTls() throws Exception {
    int port = fx.server("imap", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.sendRaw("a1 STARTTLS\r\na2 LOGIN " + USER);
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.startTls(FILES.client());
      c.send(" secret");
      c.send("b1 NOOP");
      // " secret" alone is a bad line; were "a2 LOGIN ..." kept, it would have become a login.
      assertThat(c.readLine()).isEqualTo("* BAD invalid command");
      assertThat(c.readLine()).isEqualTo("b1 OK completed");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void pop3CommandsPipelinedAfterStlsAreDiscarded() throws Exception {
    int port = fx.server("pop3", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.POP3_GREETING)) {
      c.sendRaw("STLS\r\nUSER " + USER + "\r\nPASS secret\r\n");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.startTls(FILES.client());
      c.send("NOOP");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).as("the injected USER did not happen").isEqualTo("-ERR invalid command");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void smtpCommandsPipelinedAfterStarttlsAreDiscarded() throws Exception {
    int port = fx.server("smtp", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      c.send("EHLO client.test");
      assertThat(c.readReply()).endsWith("250 STARTTLS");
      c.sendRaw("STARTTLS\r\nAUTH PLAIN " + TlsProxyFixture.plain("secret") + "\r\nNOOP\r\n");
      assertThat(c.readLine()).isEqualTo("220 2.0.0 Start TLS");
      c.startTls(FILES.client());
      c.send("RSET");
      assertThat(c.readLine()).isEqualTo("250 2.0.0 OK");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void cleartextSentAfterTheStarttlsReplyEndsTheConnectionWithoutRunningIt() throws Exception {
    int port = fx.server("imap", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (LogCapture log = LogCapture.onRootAtDebug(); TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.send("a1 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 LOGIN " + USER + " secret");
      String rest = new String(c.readToEnd(4000), StandardCharsets.ISO_8859_1);
      assertThat(rest).doesNotContain("OK").doesNotContain("BAD");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(log.text()).contains("SSL handshake failed (not an SSL/TLS record)"));
      assertThat(log.text()).doesNotContain("unexpected error").doesNotContain("reached at the tail of the pipeline");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void cleartextInjectedIntoTheTlsStreamAfterTheUpgradeEndsTheSessionAsAClientError() throws Exception {
    int port = fx.server("smtp", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (LogCapture log = LogCapture.onRootAtDebug(); TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      c.send("STARTTLS");
      assertThat(c.readLine()).isEqualTo("220 2.0.0 Start TLS");
      c.startTls(FILES.client());
      c.send("EHLO client.test");
      assertThat(c.readReply()).endsWith("250 AUTH PLAIN LOGIN");
      c.sendBeneathTls("AUTH PLAIN " + TlsProxyFixture.plain("secret") + "\r\n");
      assertThat(c.closedWithin(4000)).isTrue();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(log.text()).contains("client connection error"));
      assertThat(log.text()).doesNotContain("unexpected error").doesNotContain("reached at the tail of the pipeline");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void pop3StlsIsRefusedAfterUserAndNoUserSurvivesTheUpgrade() throws Exception {
    int port = fx.server("pop3", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.POP3_GREETING)) {
      c.send("USER " + USER);
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("STLS");
      assertThat(c.readLine()).as("STLS is not allowed after USER (RFC 2595 §4: AUTHORIZATION state only)")
          .isEqualTo("-ERR invalid command");
      c.send("STLS");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.startTls(FILES.client());
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("USER " + USER);
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
    assertThat(fx.onlyAuthRequest().header("Auth-SSL")).isEqualTo("on");
  }

  @Test
  void smtpEnvelopeGivenBeforeStarttlsIsForgottenAfterIt() throws Exception {
    int port = fx.server("smtp", false, "starttls on; smtp_auth none;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 STARTTLS");
      c.send("MAIL FROM:<a@example.com>");
      assertThat(c.readLine()).isEqualTo("250 2.0.0 OK");
      c.send("STARTTLS");
      assertThat(c.readLine()).isEqualTo("220 2.0.0 Start TLS");
      c.startTls(FILES.client());
      c.send("RCPT TO:<b@example.com>");
      assertThat(c.readLine()).isEqualTo("503 5.5.1 Bad sequence of commands");
    }
    assertThat(fx.authRequests()).isEmpty();
  }
}
