package io.mailgate.it;

import static io.mailgate.testkit.TlsProxyFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsProxyTestBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * STARTTLS command injection (CVE-2011-0411 and its kin): whatever a man in the middle appends in cleartext after
 * STARTTLS is discarded, never executed inside TLS; cleartext sent after the reply ends the connection; and what the
 * client said before the upgrade (POP3 USER, an SMTP envelope) is forgotten once it completes (RFC 3207 §4.2,
 * RFC 2595 §4).
 */
class StarttlsInjectionIT extends TlsProxyTestBase {

  @Test
  void imapCommandsPipelinedAfterStarttlsAreDiscardedNotRunInsideTls() throws Exception {
    int port = startServer("imap", "starttls on;");
    try (TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.sendRaw("a1 STARTTLS\r\na2 LOGIN " + USER + " secret\r\na3 CAPABILITY\r\n");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.startTls(FILES.client());
      c.send("b1 NOOP");
      assertThat(c.readLine()).as("nothing of a2/a3 is answered").isEqualTo("b1 OK completed");
      assertThat(fx.authRequests()).isEmpty();
      expectReply(c, "b2 LOGIN " + USER + " secret", "b2 OK LOGIN completed");
    }
    assertThat(fx.onlyAuthRequest().header("Auth-Login-Attempt")).isEqualTo("1");
  }

  @Test
  void aPartialLinePipelinedAfterStarttlsDoesNotPrefixTheFirstCommandInsideTls() throws Exception {
    int port = startServer("imap", "starttls on;");
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
  void anImapIdSentBeforeStarttlsIsNotForwardedToTheBackend() throws Exception {
    int port = startServer("imap", "starttls on; proxy_client_identity on;");
    try (TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.send("a1 ID (\"name\" \"said-in-cleartext\")");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      expectReply(c, "a2 STARTTLS", "a2 OK completed");
      c.startTls(FILES.client());
      expectReply(c, "b1 LOGIN " + USER + " secret", "b1 OK LOGIN completed");
    }
    // RFC 3501 §6.2.1: nothing said before TLS carries over, the client's ID fields included.
    assertThat(fx.imap.received().get(0)).startsWith("mgI ID (\"x-originating-ip\" ")
        .doesNotContain("said-in-cleartext");
  }

  @Test
  void pop3CommandsPipelinedAfterStlsAreDiscarded() throws Exception {
    int port = startServer("pop3", "starttls on;");
    try (TlsLineClient c = connect(port, TlsProxyFixture.POP3_GREETING)) {
      c.sendRaw("STLS\r\nUSER " + USER + "\r\nPASS secret\r\n");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.startTls(FILES.client());
      expectReply(c, "NOOP", "+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).as("the injected USER did not happen").isEqualTo("-ERR invalid command");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void smtpCommandsPipelinedAfterStarttlsAreDiscarded() throws Exception {
    int port = startServer("smtp", "starttls on;");
    try (TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      c.send("EHLO client.test");
      assertThat(c.readReply()).endsWith("250 STARTTLS");
      c.sendRaw("STARTTLS\r\nAUTH PLAIN " + TlsProxyFixture.plain("secret") + "\r\nNOOP\r\n");
      assertThat(c.readLine()).isEqualTo("220 2.0.0 Start TLS");
      c.startTls(FILES.client());
      expectReply(c, "RSET", "250 2.0.0 OK");
    }
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void cleartextSentAfterTheStarttlsReplyEndsTheConnectionWithoutRunningIt() throws Exception {
    int port = startServer("imap", "starttls on;");
    try (LogCapture log = LogCapture.onRootAtDebug(); TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      expectReply(c, "a1 STARTTLS", "a1 OK completed");
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
    int port = startServer("smtp", "starttls on;");
    try (LogCapture log = LogCapture.onRootAtDebug(); TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      upgrade(c, "STARTTLS", "220 2.0.0 Start TLS");
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
    int port = startServer("pop3", "starttls on;");
    try (TlsLineClient c = connect(port, TlsProxyFixture.POP3_GREETING)) {
      expectReply(c, "USER " + USER, "+OK");
      c.send("STLS");
      assertThat(c.readLine()).as("STLS is not allowed after USER (RFC 2595 §4: AUTHORIZATION state only)")
          .isEqualTo("-ERR invalid command");
      upgrade(c, "STLS", "+OK");
      expectReply(c, "PASS secret", "-ERR invalid command");
      expectReply(c, "USER " + USER, "+OK");
      expectReply(c, "PASS secret", "+OK pass ok");
    }
    assertThat(fx.onlyAuthRequest().header("Auth-SSL")).isEqualTo("on");
  }

  @Test
  void smtpEnvelopeGivenBeforeStarttlsIsForgottenAfterIt() throws Exception {
    int port = startServer("smtp", "starttls on; smtp_auth none;");
    try (TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 STARTTLS");
      expectReply(c, "MAIL FROM:<a@example.com>", "250 2.0.0 OK");
      upgrade(c, "STARTTLS", "220 2.0.0 Start TLS");
      expectReply(c, "RCPT TO:<b@example.com>", "503 5.5.1 Bad sequence of commands");
    }
    assertThat(fx.authRequests()).isEmpty();
  }
}
