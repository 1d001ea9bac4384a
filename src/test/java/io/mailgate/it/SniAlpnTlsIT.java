package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsProxyTestBase;
import io.mailgate.testkit.TlsTestFiles;
import java.io.IOException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/**
 * SNI (RFC 6066 §3) and ALPN (RFC 7301) on one listener: {@code ssl_sni_certificate NAME CERT KEY} serves the name
 * asked for, anything else (no name, the {@code server_name}, an unknown name) gets {@code ssl_certificate}; the
 * protocol's ALPN name is agreed on, and a client offering only other protocols is closed before any greeting, as
 * nginx's ALPN callback fails the handshake.
 */
class SniAlpnTlsIT extends TlsProxyTestBase {

  private static final String SNI = "ssl_sni_certificate " + TlsTestFiles.SNI_NAME + " " + FILES.sni.certificate() + " "
      + FILES.sni.key() + ";";

  private static void assertServedWith(int port, TlsClientOptions client, X509Certificate expected)
      throws Exception {
    try (TlsLineClient c = TlsLineClient.implicit(port, client)) {
      assertThat(c.serverCertificate()).isEqualTo(expected);
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
    }
  }

  @Test
  void theNameAskedForChoosesItsPairAndEveryOtherNameGetsTheDefault() throws Exception {
    int port = startImplicitServer("imap", SNI);
    assertServedWith(port, FILES.client().serverName(TlsTestFiles.SNI_NAME), FILES.sni.x509());
    assertServedWith(port, FILES.client().serverName("SNI.Mail.Test"), FILES.sni.x509());
    assertServedWith(port, FILES.client(), FILES.serverRsa.x509());
    assertServedWith(port, FILES.client().serverName("mx.test"), FILES.serverRsa.x509());
    assertServedWith(port, FILES.client().serverName("unknown.example"), FILES.serverRsa.x509());
  }

  @Test
  void sniChoosesThePairAfterStarttlsToo() throws Exception {
    int port = startServer("smtp", "starttls on; " + SNI);
    try (TlsLineClient c = connect(port, TlsProxyFixture.SMTP_GREETING)) {
      expectReply(c, "STARTTLS", "220 2.0.0 Start TLS");
      c.startTls(FILES.client().serverName(TlsTestFiles.SNI_NAME));
      assertThat(c.serverCertificate()).isEqualTo(FILES.sni.x509());
      c.send("EHLO client.test");
      assertThat(c.readReply()).containsExactly("250-mx.test", "250 AUTH PLAIN LOGIN");
    }
  }

  @Test
  void eachProtocolAgreesOnItsOwnAlpnName() throws Exception {
    int imap = fx.server("imap", true, "");
    int pop3 = fx.server("pop3", true, "");
    int smtp = fx.server("smtp", true, "");
    fx.start(CERTIFICATE);
    try (TlsLineClient c = TlsLineClient.implicit(imap, FILES.client().alpn("h2", "imap"))) {
      assertThat(c.applicationProtocol()).isEqualTo("imap");
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
    }
    try (TlsLineClient c = TlsLineClient.implicit(pop3, FILES.client().alpn("pop3"))) {
      assertThat(c.applicationProtocol()).isEqualTo("pop3");
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.POP3_GREETING);
    }
    try (TlsLineClient c = TlsLineClient.implicit(smtp, FILES.client().alpn("smtp"))) {
      assertThat(c.applicationProtocol()).isEqualTo("smtp");
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.SMTP_GREETING);
    }
    try (TlsLineClient c = TlsLineClient.implicit(imap, FILES.client())) {
      assertThat(c.applicationProtocol()).as("no ALPN offered, none agreed, session goes on").isEmpty();
      assertThat(c.readLine()).isEqualTo(TlsProxyFixture.IMAP_GREETING);
    }
  }

  @Test
  void aClientOfferingOnlyOtherProtocolsGetsNoGreetingAndIsClosed() throws Exception {
    int imap = fx.server("imap", true, "");
    int pop3 = fx.server("pop3", true, "");
    fx.start(CERTIFICATE);
    assertThatThrownBy(() -> TlsLineClient.implicit(imap, FILES.client().alpn("h2", "http/1.1")).close())
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> TlsLineClient.implicit(imap, FILES.client().alpn("pop3")).close())
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> TlsLineClient.implicit(pop3, FILES.client().alpn("imap", "smtp")).close())
        .isInstanceOf(IOException.class);
    assertThat(fx.authRequests()).isEmpty();
  }

  @Test
  void aStarttlsClientOfferingAnotherProtocolIsClosedAfterTheReply() throws Exception {
    int port = startServer("pop3", "starttls on;");
    try (TlsLineClient c = connect(port, TlsProxyFixture.POP3_GREETING)) {
      expectReply(c, "STLS", "+OK");
      assertThatThrownBy(() -> c.startTls(FILES.client().alpn("imap"))).isInstanceOf(IOException.class);
    }
  }
}
