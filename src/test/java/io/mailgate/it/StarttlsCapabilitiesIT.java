package io.mailgate.it;

import static io.mailgate.testkit.TlsProxyFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsTestFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS (RFC 3501 §6.2.1), STLS (RFC 2595 §4) and SMTP STARTTLS (RFC 3207) with {@code starttls off}, {@code on}
 * and {@code only}: the capability text before and after the upgrade as nginx words it, authentication refused in
 * clear under {@code only}, a second STARTTLS refused, and a login through the upgraded connection that carries
 * {@code Auth-SSL}.
 */
class StarttlsCapabilitiesIT {

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
    // With APOP the POP3 greeting carries a timestamp after the text.
    assertThat(c.readLine()).startsWith(greeting);
    return c;
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
    int port = fx.server("imap", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN STARTTLS");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
      c.startTls(FILES.client());
      c.send("a3 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN");
      assertThat(c.readLine()).isEqualTo("a3 OK completed");
      c.send("a4 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a4 BAD invalid command");
      c.send("a5 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a5 OK LOGIN completed");
    }
    assertLoginCarriedTls("imap");
  }

  @Test
  void imapStarttlsOnlySaysLogindisabledAndRefusesLoginAndAuthenticateUntilTheUpgrade() throws Exception {
    int port = fx.server("imap", false, "starttls only;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS STARTTLS LOGINDISABLED");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a2 BAD invalid command");
      c.send("a3 AUTHENTICATE PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("a3 BAD invalid command");
      assertThat(fx.authRequests()).isEmpty();
      c.send("a4 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a4 OK completed");
      c.startTls(FILES.client());
      c.send("a5 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN");
      assertThat(c.readLine()).isEqualTo("a5 OK completed");
      c.send("a6 AUTHENTICATE PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("a6 OK LOGIN completed");
    }
    assertLoginCarriedTls("imap");
  }

  @Test
  void imapStarttlsOffAdvertisesNothingAndRefusesTheCommandEvenWithACertificate() throws Exception {
    int port = fx.server("imap", false, "starttls off;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.IMAP_GREETING)) {
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 STARTTLS");
      assertThat(c.readLine()).isEqualTo("a2 BAD invalid command");
      c.send("a3 LOGIN " + USER + " secret");
      assertThat(c.readLine()).isEqualTo("a3 OK LOGIN completed");
    }
    assertThat(fx.onlyAuthRequest().header("Auth-SSL")).isNull();
  }

  @Test
  void pop3StlsOnIsListedBeforeTheDotAndGoneAfterTheUpgrade() throws Exception {
    int port = fx.server("pop3", false, "starttls on;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.POP3_GREETING)) {
      c.send("CAPA");
      assertThat(c.readUntil(".")).containsExactly("+OK Capability list follows", "TOP", "USER", "UIDL",
          "SASL PLAIN LOGIN", "STLS", ".");
      c.send("STLS");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.startTls(FILES.client());
      c.send("CAPA");
      assertThat(c.readUntil(".")).containsExactly("+OK Capability list follows", "TOP", "USER", "UIDL",
          "SASL PLAIN LOGIN", ".");
      c.send("STLS");
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("USER " + USER);
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
    assertLoginCarriedTls("pop3");
  }

  @Test
  void pop3StlsOnlyDropsUserAndSaslAndRefusesEveryLoginCommandUntilTheUpgrade() throws Exception {
    int port = fx.server("pop3", false, "starttls only; pop3_auth plain apop;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.POP3_GREETING)) {
      c.send("CAPA");
      assertThat(c.readUntil(".")).containsExactly("+OK Capability list follows", "TOP", "UIDL", "STLS", ".");
      c.send("USER " + USER);
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("APOP " + USER + " " + "0".repeat(32));
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      c.send("AUTH PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
      assertThat(fx.authRequests()).isEmpty();
      c.send("STLS");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.startTls(FILES.client());
      c.send("CAPA");
      assertThat(c.readUntil(".")).containsExactly("+OK Capability list follows", "TOP", "USER", "UIDL",
          "SASL PLAIN LOGIN", ".");
      c.send("AUTH PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
    assertLoginCarriedTls("pop3");
  }

  @Test
  void smtpStarttlsOnIsTheLastEhloLineAfterTheConfiguredOnesAndGoneAfterTheUpgrade() throws Exception {
    int port = fx.server("smtp", false, "starttls on; smtp_capabilities PIPELINING \"SIZE 1000\";");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250-PIPELINING", "250-SIZE 1000",
          "250-AUTH PLAIN LOGIN", "250 STARTTLS");
      c.send("STARTTLS");
      assertThat(c.readLine()).isEqualTo("220 2.0.0 Start TLS");
      c.startTls(FILES.client());
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250-PIPELINING", "250-SIZE 1000",
          "250 AUTH PLAIN LOGIN");
      c.send("STARTTLS");
      assertThat(c.readLine()).isEqualTo("500 5.5.1 Invalid command");
      c.send("AUTH PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("235 2.0.0 OK");
    }
    assertLoginCarriedTls("smtp");
  }

  @Test
  void smtpStarttlsOnlyOmitsAuthAndRefusesItUntilTheUpgrade() throws Exception {
    int port = fx.server("smtp", false, "starttls only;");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 STARTTLS");
      c.send("AUTH PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("500 5.5.1 Invalid command");
      assertThat(fx.authRequests()).isEmpty();
      c.send("STARTTLS");
      assertThat(c.readLine()).isEqualTo("220 2.0.0 Start TLS");
      c.startTls(FILES.client());
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 AUTH PLAIN LOGIN");
      c.send("AUTH PLAIN " + TlsProxyFixture.plain("secret"));
      assertThat(c.readLine()).isEqualTo("235 2.0.0 OK");
    }
    assertLoginCarriedTls("smtp");
  }

  @Test
  void smtpAndPop3WithoutStarttlsRefuseTheCommand() throws Exception {
    int smtp = fx.server("smtp", false, "");
    int pop3 = fx.server("pop3", false, "");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = connect(smtp, TlsProxyFixture.SMTP_GREETING)) {
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 AUTH PLAIN LOGIN");
      c.send("STARTTLS");
      assertThat(c.readLine()).isEqualTo("500 5.5.1 Invalid command");
    }
    try (TlsLineClient c = connect(pop3, TlsProxyFixture.POP3_GREETING)) {
      c.send("CAPA");
      assertThat(c.readUntil(".")).doesNotContain("STLS");
      c.send("STLS");
      assertThat(c.readLine()).isEqualTo("-ERR invalid command");
    }
  }
}
