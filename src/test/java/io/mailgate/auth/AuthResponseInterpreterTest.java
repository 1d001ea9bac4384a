package io.mailgate.auth;

import io.mailgate.backend.BackendTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.BackendTlsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthResponseInterpreterTest {

  private static final String PEER = "127.0.0.1:9000";

  private static AuthResult interpret(String headers) {
    return interpretBytes(headers.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static AuthResult interpretBytes(byte[] headers) {
    AuthResponseParser parser = new AuthResponseParser();
    ByteBuf buf = Unpooled.buffer();
    buf.writeCharSequence("HTTP/1.0 200 OK\r\n", StandardCharsets.US_ASCII);
    buf.writeBytes(headers);
    buf.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
    try {
      assertThat(parser.feed(buf)).isEqualTo(AuthResponseParser.Status.DONE);
    } finally {
      buf.release();
    }
    return AuthResponseInterpreter.interpret(parser.response(), PEER);
  }

  private static String unavailable(AuthResult result) {
    assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
    return ((AuthResult.Unavailable) result).reason();
  }

  @Test
  void okWithServerPortUserAndPassIsAccepted() throws Exception {
    AuthResult r = interpret("Auth-Status: OK\r\nAuth-Server: 10.0.0.5\r\nAuth-Port: 143\r\n"
        + "Auth-User: back%20end\r\nAuth-Pass: s3cr3t\r\n");
    assertThat(r).isEqualTo(new AuthResult.Accepted(
        BackendTarget.of(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 5}), 143)),
        Optional.of("back%20end".getBytes(StandardCharsets.US_ASCII)),
        Optional.of("s3cr3t".getBytes(StandardCharsets.US_ASCII)),
        Optional.empty()));
  }

  @Test
  void authProxySslDemandsTlsTowardsTheBackendForThisLogin() {
    AuthResult.Accepted a = (AuthResult.Accepted) interpret("Auth-Status: OK\r\nAuth-Server: 10.0.0.5\r\n"
        + "Auth-Port: 143\r\nAuth-Proxy-SSL: STARTTLS\r\nAuth-Proxy-SSL-Name: imap.example.com\r\n");
    assertThat(a.requiredTls()).contains(BackendTlsConfig.Mode.STARTTLS);
    assertThat(a.tlsName()).contains("imap.example.com");
    AuthResult.Accepted plain = (AuthResult.Accepted) interpret("Auth-Server: 10.0.0.5\r\nAuth-Port: 143\r\n");
    assertThat(plain.requiredTls()).isEmpty();
    assertThat(plain.tlsName()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Auth-Proxy-SSL: off", "Auth-Proxy-SSL: yes", "Auth-Proxy-SSL-Name: bad name",
      "Auth-Proxy-SSL-Name: -x.example"})
  void anAuthProxySslThatCannotBeHonouredIsAnInternalError(String header) {
    assertThat(unavailable(interpret("Auth-Server: 10.0.0.5\r\nAuth-Port: 143\r\n" + header + "\r\n")))
        .contains("Auth-Proxy-SSL");
  }

  @Test
  void noAuthStatusAtAllIsSuccess() {
    AuthResult r = interpret("Auth-Server: ::1\r\nAuth-Port: 110\r\n");
    assertThat(r).isInstanceOf(AuthResult.Accepted.class);
    AuthResult.Accepted a = (AuthResult.Accepted) r;
    assertThat(a.backend().first().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(a.backend().first().getPort()).isEqualTo(110);
    assertThat(a.user()).isEmpty();
    assertThat(a.pass()).isEmpty();
  }

  @Test
  void acceptedKeepsUserAndPassAsRawBytes() {
    byte[] head = "Auth-Server: 1.2.3.4\r\nAuth-Port: 1\r\nAuth-User: j\u00fcrgen\r\n"
        .getBytes(StandardCharsets.UTF_8);
    AuthResult.Accepted a = (AuthResult.Accepted) interpretBytes(head);
    assertThat(a.user()).get().isEqualTo("j\u00fcrgen".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptedCarriesAnAuthErrorSaslWhenSent() {
    AuthResult.Accepted a = (AuthResult.Accepted) interpret(
        "Auth-Status: OK\r\nAuth-Server: 1.2.3.4\r\nAuth-Port: 1\r\nAuth-Error-SASL: eyJ9\r\n");
    assertThat(a.saslError()).contains("eyJ9");
  }

  @Test
  void okIsCaseSensitive() {
    AuthResult r = interpret("Auth-Status: ok\r\nAuth-Server: 1.2.3.4\r\nAuth-Port: 1\r\n");
    assertThat(r).isEqualTo(new AuthResult.Rejected("ok", Optional.empty(), Optional.empty(), Optional.empty()));
  }

  @Test
  void aFailureCarriesItsTextWaitCodeAndSaslError() {
    AuthResult r = interpret("Auth-Status: Invalid login or password\r\nAuth-Wait: 3\r\n"
        + "Auth-Error-Code: 535 5.7.8\r\nAuth-Error-SASL: eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    assertThat(r).isEqualTo(new AuthResult.Rejected("Invalid login or password", Optional.of("535 5.7.8"),
        Optional.of(Duration.ofSeconds(3)), Optional.of("eyJzdGF0dXMiOiI0MDEifQ==")));
  }

  @Test
  void aNonNumericAuthWaitIsIgnored() {
    AuthResult r = interpret("Auth-Status: No\r\nAuth-Wait: soon\r\nAuth-Error-Code: 451\r\n");
    assertThat(r).isEqualTo(new AuthResult.Rejected("No", Optional.of("451"), Optional.empty(), Optional.empty()));
  }

  @Test
  void anEmptyAuthErrorCodeMeansTheDefault() {
    AuthResult r = interpret("Auth-Status: No\r\nAuth-Error-Code:\r\n");
    assertThat(r).isEqualTo(new AuthResult.Rejected("No", Optional.empty(), Optional.empty(), Optional.empty()));
  }

  @Test
  void waitAsksAgainAfterAuthWait() {
    assertThat(interpret("Auth-Status: WAIT\r\nAuth-Wait: 2\r\n"))
        .isEqualTo(new AuthResult.Retry(Optional.of(Duration.ofSeconds(2))));
    assertThat(interpret("Auth-Status: WAIT\r\n")).isEqualTo(new AuthResult.Retry(Optional.empty()));
    assertThat(interpret("Auth-Status: WAIT\r\nAuth-Wait: x\r\n")).isEqualTo(new AuthResult.Retry(Optional.empty()));
  }

  @Test
  void theLastAuthStatusWins() {
    assertThat(interpret("Auth-Status: Bad\r\nAuth-Status: WAIT\r\n")).isInstanceOf(AuthResult.Retry.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Auth-Server: 1.2.3.4\r\n", "Auth-Port: 143\r\n", "Auth-Server:\r\nAuth-Port: 143\r\n",
      "Auth-Status: OK\r\n"})
  void successWithoutServerOrPortIsUnavailable(String headers) {
    assertThat(unavailable(interpret(headers)))
        .isEqualTo("auth http server 127.0.0.1:9000 did not send server or port");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3", "1.2.3.256", "1.2.3.4.5", "[::1]", "fe80::1%eth0", "1.2.3.4:143", "01234.1.1.1",
      "mail_1.example", "-mail.example", "mail-.example", "mail..example", "mail.example.", "mail example"})
  void aServerThatIsNeitherAnIpLiteralNorAHostNameIsUnavailable(String server) {
    assertThat(unavailable(interpret("Auth-Server: " + server + "\r\nAuth-Port: 143\r\n")))
        .isEqualTo("auth http server 127.0.0.1:9000 sent invalid server address:\"" + server.trim() + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mail.example.com", "localhost", "imap-1.internal", "1.2.3.4x"})
  void aHostNameIsAcceptedAsANameToResolve(String server) {
    AuthResult.Accepted a = (AuthResult.Accepted) interpret("Auth-Server: " + server + "\r\nAuth-Port: 143\r\n");

    assertThat(a.backend().resolved()).isFalse();
    assertThat(a.backend().first().getHostString()).isEqualTo(server);
    assertThat(a.backend().first().getPort()).isEqualTo(143);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "-1", "x", "143x", "99999999999"})
  void anInvalidPortIsUnavailable(String port) {
    assertThat(unavailable(interpret("Auth-Server: 1.2.3.4\r\nAuth-Port: " + port + "\r\n")))
        .isEqualTo("auth http server 127.0.0.1:9000 sent invalid server port:\"" + port + "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "65535"})
  void portsAtTheBoundsAreAccepted(String port) {
    assertThat(interpret("Auth-Server: 1.2.3.4\r\nAuth-Port: " + port + "\r\n"))
        .isInstanceOf(AuthResult.Accepted.class);
  }

  @Test
  void aNulInAnEchoedValueIsUnavailable() {
    assertThat(unavailable(interpret("Auth-Status: bad\0text\r\n"))).endsWith("sent invalid Auth-Status");
    assertThat(unavailable(interpret("Auth-Status: bad\r\nAuth-Error-Code: 535\0\r\n")))
        .endsWith("sent invalid Auth-Error-Code");
    assertThat(unavailable(interpret("Auth-Status: bad\r\nAuth-Error-SASL: e\0\r\n")))
        .endsWith("sent invalid Auth-Error-SASL");
    assertThat(unavailable(interpret("Auth-Server: 1.2.3.4\r\nAuth-Port: 1\r\nAuth-Error-SASL: e\0\r\n")))
        .endsWith("sent invalid Auth-Error-SASL");
  }

  @Test
  void echoedValuesAreBoundedInLength() {
    String text = "x".repeat(AuthResponseInterpreter.MAX_TEXT_BYTES);
    assertThat(interpret("Auth-Status: " + text + "\r\n")).isInstanceOf(AuthResult.Rejected.class);
    assertThat(unavailable(interpret("Auth-Status: " + text + "x\r\n"))).endsWith("sent invalid Auth-Status");
    String sasl = "e".repeat(AuthResponseInterpreter.MAX_SASL_BYTES);
    assertThat(interpret("Auth-Status: no\r\nAuth-Error-SASL: " + sasl + "\r\n"))
        .isInstanceOf(AuthResult.Rejected.class);
    assertThat(unavailable(interpret("Auth-Status: no\r\nAuth-Error-SASL: " + sasl + "e\r\n")))
        .endsWith("sent invalid Auth-Error-SASL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"53", "5355", "535 5.7", "535 5.7.8.1", "abc", "535 x.7.8", "535  5.7.8", "535-5.7.8"})
  void anAuthErrorCodeThatIsNotAnSmtpCodeIsUnavailable(String code) {
    assertThat(unavailable(interpret("Auth-Status: no\r\nAuth-Error-Code: " + code + "\r\n")))
        .isEqualTo("auth http server 127.0.0.1:9000 sent invalid Auth-Error-Code");
  }
}
