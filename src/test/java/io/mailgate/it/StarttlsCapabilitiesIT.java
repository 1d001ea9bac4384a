package io.mailgate.it;

import static io.mailgate.testkit.TlsProxyFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsProxyTestBase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * STARTTLS (RFC 3501 §6.2.1), STLS (RFC 2595 §4) and SMTP STARTTLS (RFC 3207) with {@code starttls off}, {@code on}
 * and {@code only}: the capability text before and after the upgrade as nginx words it, authentication refused in
 * clear under {@code only}, a second STARTTLS refused, and a login through the upgraded connection that carries
 * {@code Auth-SSL}.
 */
class StarttlsCapabilitiesIT extends TlsProxyTestBase {

  /** IMAP capabilities with no STARTTLS to offer or require: before it with {@code off}, after the upgrade. */
  private static final String IMAP_PLAIN_CAPABILITIES = "IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN";
  /** POP3 capabilities after the upgrade. */
  private static final String[] POP3_PLAIN_CAPABILITIES = {"TOP", "USER", "UIDL", "SASL PLAIN LOGIN"};

  /** Starts one cleartext {@code protocol} server and connects; with APOP a timestamp follows the POP3 greeting. */
  private TlsLineClient open(String protocol, String directives, String greeting) throws Exception {
    return connectGreetedWith(startServer(protocol, directives), greeting);
  }

  /** IMAP CAPABILITY under {@code tag}: the untagged line must list exactly {@code capabilities}. */
  private static void imapCapabilities(TlsLineClient c, String tag, String capabilities) throws IOException {
    c.send(tag + " CAPABILITY");
    assertThat(c.readLine()).isEqualTo("* CAPABILITY " + capabilities);
    assertThat(c.readLine()).isEqualTo(tag + " OK completed");
  }

  /** POP3 CAPA: the list between the status line and the dot must be exactly {@code capabilities}. */
  private static void pop3Capabilities(TlsLineClient c, String... capabilities) throws IOException {
    List<String> expected = new ArrayList<>();
    expected.add("+OK Capability list follows");
    expected.addAll(List.of(capabilities));
    expected.add(".");
    c.send("CAPA");
    assertThat(c.readUntil(".")).containsExactlyElementsOf(expected);
  }

  /** SMTP EHLO: the reply lines must be exactly {@code reply}. */
  private static void smtpEhlo(TlsLineClient c, String... reply) throws IOException {
    c.send("EHLO client.test");
    assertThat(c.readReply()).containsExactly(reply);
  }

  private void assertLoginCarriedTls(String protocol) {
    FakeAuthServer.Request request = fx.onlyAuthRequest();
    assertThat(request.header("Auth-Protocol")).isEqualTo(protocol);
    assertThat(request.header("Auth-SSL")).isEqualTo("on");
    assertThat(request.header("Auth-SSL-Protocol")).isEqualTo("TLSv1.3");
    assertThat(request.header("Auth-SSL-Cipher")).startsWith("TLS_");
  }

  @Test
  void imapStarttlsOnIsAdvertisedLastAndGoneAfterTheUpgrade() throws Exception {
    try (TlsLineClient c = open("imap", "starttls on;", TlsProxyFixture.IMAP_GREETING)) {
      imapCapabilities(c, "a1", IMAP_PLAIN_CAPABILITIES + " STARTTLS");
      upgrade(c, "a2 STARTTLS", "a2 OK completed");
      imapCapabilities(c, "a3", IMAP_PLAIN_CAPABILITIES);
      expectReply(c, "a4 STARTTLS", "a4 BAD invalid command");
      expectReply(c, "a5 LOGIN " + USER + " secret", "a5 OK LOGIN completed");
    }
    assertLoginCarriedTls("imap");
  }

  @Test
  void imapStarttlsOnlySaysLogindisabledAndRefusesLoginAndAuthenticateUntilTheUpgrade() throws Exception {
    try (TlsLineClient c = open("imap", "starttls only;", TlsProxyFixture.IMAP_GREETING)) {
      imapCapabilities(c, "a1", "IMAP4 IMAP4rev1 UIDPLUS STARTTLS LOGINDISABLED");
      expectReply(c, "a2 LOGIN " + USER + " secret", "a2 BAD invalid command");
      expectReply(c, "a3 AUTHENTICATE PLAIN " + TlsProxyFixture.plain("secret"), "a3 BAD invalid command");
      assertThat(fx.authRequests()).isEmpty();
      upgrade(c, "a4 STARTTLS", "a4 OK completed");
      imapCapabilities(c, "a5", IMAP_PLAIN_CAPABILITIES);
      expectReply(c, "a6 AUTHENTICATE PLAIN " + TlsProxyFixture.plain("secret"), "a6 OK LOGIN completed");
    }
    assertLoginCarriedTls("imap");
  }

  @Test
  void imapStarttlsOffAdvertisesNothingAndRefusesTheCommandEvenWithACertificate() throws Exception {
    try (TlsLineClient c = open("imap", "starttls off;", TlsProxyFixture.IMAP_GREETING)) {
      imapCapabilities(c, "a1", IMAP_PLAIN_CAPABILITIES);
      expectReply(c, "a2 STARTTLS", "a2 BAD invalid command");
      expectReply(c, "a3 LOGIN " + USER + " secret", "a3 OK LOGIN completed");
    }
    assertThat(fx.onlyAuthRequest().header("Auth-SSL")).isNull();
  }

  @Test
  void pop3StlsOnIsListedBeforeTheDotAndGoneAfterTheUpgrade() throws Exception {
    try (TlsLineClient c = open("pop3", "starttls on;", TlsProxyFixture.POP3_GREETING)) {
      pop3Capabilities(c, "TOP", "USER", "UIDL", "SASL PLAIN LOGIN", "STLS");
      upgrade(c, "STLS", "+OK");
      pop3Capabilities(c, POP3_PLAIN_CAPABILITIES);
      expectReply(c, "STLS", "-ERR invalid command");
      expectReply(c, "USER " + USER, "+OK");
      expectReply(c, "PASS secret", "+OK pass ok");
    }
    assertLoginCarriedTls("pop3");
  }

  @Test
  void pop3StlsOnlyDropsUserAndSaslAndRefusesEveryLoginCommandUntilTheUpgrade() throws Exception {
    try (TlsLineClient c = open("pop3", "starttls only; pop3_auth plain apop;", TlsProxyFixture.POP3_GREETING)) {
      pop3Capabilities(c, "TOP", "UIDL", "STLS");
      expectReply(c, "USER " + USER, "-ERR invalid command");
      expectReply(c, "APOP " + USER + " " + "0".repeat(32), "-ERR invalid command");
      expectReply(c, "AUTH PLAIN " + TlsProxyFixture.plain("secret"), "-ERR invalid command");
      assertThat(fx.authRequests()).isEmpty();
      upgrade(c, "STLS", "+OK");
      pop3Capabilities(c, POP3_PLAIN_CAPABILITIES);
      expectReply(c, "AUTH PLAIN " + TlsProxyFixture.plain("secret"), "+OK pass ok");
    }
    assertLoginCarriedTls("pop3");
  }

  @Test
  void smtpStarttlsOnIsTheLastEhloLineAfterTheConfiguredOnesAndGoneAfterTheUpgrade() throws Exception {
    String directives = "starttls on; smtp_capabilities PIPELINING \"SIZE 1000\";";
    try (TlsLineClient c = open("smtp", directives, TlsProxyFixture.SMTP_GREETING)) {
      smtpEhlo(c, "250-mx.test", "250-PIPELINING", "250-SIZE 1000", "250-AUTH PLAIN LOGIN", "250 STARTTLS");
      upgrade(c, "STARTTLS", "220 2.0.0 Start TLS");
      smtpEhlo(c, "250-mx.test", "250-PIPELINING", "250-SIZE 1000", "250 AUTH PLAIN LOGIN");
      expectReply(c, "STARTTLS", "500 5.5.1 Invalid command");
      expectReply(c, "AUTH PLAIN " + TlsProxyFixture.plain("secret"), "235 2.0.0 OK");
    }
    assertLoginCarriedTls("smtp");
  }

  @Test
  void smtpStarttlsOnlyOmitsAuthAndRefusesItUntilTheUpgrade() throws Exception {
    try (TlsLineClient c = open("smtp", "starttls only;", TlsProxyFixture.SMTP_GREETING)) {
      smtpEhlo(c, "250-mx.test", "250 STARTTLS");
      expectReply(c, "AUTH PLAIN " + TlsProxyFixture.plain("secret"), "500 5.5.1 Invalid command");
      assertThat(fx.authRequests()).isEmpty();
      upgrade(c, "STARTTLS", "220 2.0.0 Start TLS");
      smtpEhlo(c, "250-mx.test", "250 AUTH PLAIN LOGIN");
      expectReply(c, "AUTH PLAIN " + TlsProxyFixture.plain("secret"), "235 2.0.0 OK");
    }
    assertLoginCarriedTls("smtp");
  }

  @Test
  void smtpAndPop3WithoutStarttlsRefuseTheCommand() throws Exception {
    int smtp = fx.server("smtp", false, "");
    int pop3 = fx.server("pop3", false, "");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connectGreetedWith(smtp, TlsProxyFixture.SMTP_GREETING)) {
      smtpEhlo(c, "250-mx.test", "250 AUTH PLAIN LOGIN");
      expectReply(c, "STARTTLS", "500 5.5.1 Invalid command");
    }
    try (TlsLineClient c = connectGreetedWith(pop3, TlsProxyFixture.POP3_GREETING)) {
      c.send("CAPA");
      assertThat(c.readUntil(".")).doesNotContain("STLS");
      expectReply(c, "STLS", "-ERR invalid command");
    }
  }
}
