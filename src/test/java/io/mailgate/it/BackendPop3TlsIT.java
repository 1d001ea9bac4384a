package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeTlsBackend;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.TestPki;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TLS from mailgate to a POP3 backend: implicit TLS (POP3S) and STLS (RFC 2595 §4). */
class BackendPop3TlsIT extends BackendTlsITBase {

  @Override
  FakeTlsBackend.Protocol protocol() {
    return FakeTlsBackend.Protocol.POP3;
  }

  @Override
  String protocolDirectives() {
    return "protocol pop3;";
  }

  @Override
  void logInAndUse(int port) throws IOException {
    try (LineClient c = new LineClient(port)) {
      assertThat(c.readLine()).startsWith("+OK POP3 ready");
      c.send("USER test@example.com");
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("+OK logged in");
      c.send("STAT");
      assertThat(c.readLine()).isEqualTo("+OK 0 0");
    }
  }

  @Override
  String logInExpectingFailure(int port) throws IOException {
    try (LineClient c = new LineClient(port)) {
      assertThat(c.readLine()).startsWith("+OK POP3 ready");
      c.send("USER test@example.com");
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS secret");
      String reply = c.readLine();
      assertThat(c.closedWithin(3000)).isTrue();
      return reply;
    }
  }

  @Override
  String internalError() {
    return "-ERR internal server error";
  }

  @Override
  List<String> cleartextBeforeStartTls() {
    return List.of("STLS");
  }

  @Override
  boolean carriesCredentials(String line) {
    return line.startsWith("USER") || line.startsWith("PASS");
  }

  @Test
  void withStlsCapaAndXclientGoOnlyOverTls() throws Exception {
    // RFC 2595 §4: what the server said before TLS is not to be trusted, so CAPA is asked after the upgrade.
    start(FakeTlsBackend.Mode.STARTTLS, pki.server(TestPki.KeyType.RSA, NAME),
        "proxy_ssl starttls; " + trusted() + " proxy_ssl_name " + NAME + "; proxy_client_identity on;");
    logInAndUse(proxy.port());
    assertThat(backend.receivedInClear()).containsExactly("STLS");
    assertThat(backend.receivedOverTls()).hasSize(5);
    assertThat(backend.receivedOverTls().get(0)).isEqualTo("CAPA");
    assertThat(backend.receivedOverTls().get(1))
        .matches("XCLIENT ADDR=127\\.0\\.0\\.1 PORT=\\d+ SESSION=[0-9a-f]{16} TTL=4");
    assertThat(backend.receivedOverTls().subList(2, 5)).containsExactly("USER test@example.com", "PASS secret", "STAT");
  }
}
