package io.mailgate.it;

import static io.mailgate.testkit.SmtpProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeTlsBackend;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.TestPki;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TLS from mailgate to an SMTP backend: implicit TLS (submissions) and STARTTLS (RFC 3207), XCLIENT after it. */
class BackendSmtpTlsIT extends BackendTlsITBase {

  private static final String AUTH = "AUTH PLAIN " + b64("\0test@example.com\0secret");

  @Override
  FakeTlsBackend.Protocol protocol() {
    return FakeTlsBackend.Protocol.SMTP;
  }

  @Override
  String protocolDirectives() {
    return "protocol smtp; server_name mx.test;";
  }

  @Override
  void logInAndUse(int port) throws IOException {
    try (SmtpClient c = new SmtpClient("127.0.0.1", port)) {
      assertThat(c.reply()).isEqualTo("220 mx.test ESMTP ready");
      assertThat(c.command("EHLO client.example")).startsWith("250 ");
      assertThat(c.command(AUTH)).isEqualTo("235 2.0.0 OK");
      assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 Ok");
    }
  }

  @Override
  String logInExpectingFailure(int port) throws IOException {
    try (SmtpClient c = new SmtpClient("127.0.0.1", port)) {
      assertThat(c.reply()).isEqualTo("220 mx.test ESMTP ready");
      assertThat(c.command("EHLO client.example")).startsWith("250 ");
      String reply = c.command(AUTH);
      assertThat(c.closedWithin(3000)).isTrue();
      return reply;
    }
  }

  @Override
  String internalError() {
    return "451 4.3.2 Internal server error";
  }

  @Override
  List<String> cleartextBeforeStartTls() {
    return List.of("EHLO mx.test", "STARTTLS");
  }

  @Override
  boolean carriesCredentials(String line) {
    return line.startsWith("AUTH") || line.startsWith("XCLIENT");
  }

  @Test
  void afterStarttlsTheLoginStartsAfreshWithEhloThenXclientThenTheClientsEhlo() throws Exception {
    start(FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.RSA, NAME),
        "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME + ";");
    logInAndUse(proxy.port());
    assertThat(backend.receivedInClear()).containsExactly("EHLO mx.test", "STARTTLS");
    assertThat(backend.receivedOverTls()).containsExactly("EHLO mx.test",
        // The backend lists "XCLIENT NAME ADDR PROTO HELO LOGIN", in its EHLO over TLS.
        "XCLIENT ADDR=127.0.0.1 PROTO=ESMTP HELO=client.example LOGIN=test@example.com NAME=[UNAVAILABLE]",
        "EHLO client.example", "NOOP");
  }
}
