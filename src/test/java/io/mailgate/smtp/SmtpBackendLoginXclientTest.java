package io.mailgate.smtp;

import static io.mailgate.testkit.EmbeddedBackendLogin.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendCredentials;
import io.mailgate.testkit.EmbeddedBackendLogin;
import io.mailgate.log.SessionLog;
import io.mailgate.testkit.LogCapture;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code xclient on}: the attributes a Postfix-style backend lists, nginx's command for any other, EHLO after it. */
class SmtpBackendLoginXclientTest {

  private static final String POSTFIX_EHLO = "250-postfix.example\r\n250-PIPELINING\r\n"
      + "250-XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT\r\n250 8BITMIME\r\n";

  private EmbeddedBackendLogin backend;
  private Promise<String> result;
  private LogCapture log;

  /** A client 192.0.2.7:50321 that connected to 198.51.100.1:587 and said {@code heloLine} (or nothing). */
  private void start(Optional<String> heloLine) {
    Optional<String> helo = heloLine.map(l -> l.substring(5));
    boolean esmtp = heloLine.map(l -> l.startsWith("EHLO")).orElse(false);
    SmtpXclient client = new SmtpXclient("192.0.2.7", Optional.of(new InetSocketAddress("192.0.2.7", 50321)),
        "[UNAVAILABLE]", helo.map(EmbeddedBackendLogin::bytes), esmtp,
        Optional.of(new InetSocketAddress("198.51.100.1", 587)));
    SmtpLoginPlan plan = new SmtpLoginPlan("mx.test", true, false, client,
        heloLine.map(EmbeddedBackendLogin::bytes), esmtp, Optional.empty(), Set.of(),
        new SessionLog("io.mailgate.session", 1, "192.0.2.7", "127.0.0.1:587", "00000000000000ab"));
    SmtpBackendLogin login = new SmtpBackendLogin(plan);
    backend = EmbeddedBackendLogin.start(login,
        BackendCredentials.password(bytes("user@example.com"), bytes("secret")), false);
    result = backend.result();
    log = LogCapture.onRootAtDebug();
  }

  @AfterEach
  void finish() {
    backend.close();
    log.close();
  }

  /** Greeting, our EHLO and its reply {@code ehloReply}; returns what followed it. */
  private String afterEhlo(String ehloReply) {
    backend.backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(backend.sent()).isEqualTo("EHLO mx.test\r\n");
    backend.backendSays(ehloReply);
    return backend.sent();
  }

  @Test
  void postfixGetsPortProtoHeloAndTheDestinationThenTheClientsEhloAgain() {
    start(Optional.of("EHLO client.example"));
    assertThat(afterEhlo(POSTFIX_EHLO)).isEqualTo("XCLIENT ADDR=192.0.2.7 PORT=50321 PROTO=ESMTP HELO=client.example"
        + " LOGIN=user@example.com NAME=[UNAVAILABLE] DESTADDR=198.51.100.1 DESTPORT=587\r\n");
    // XCLIENT_README: the server "resets state to the initial SMTP greeting protocol stage" and answers 220.
    backend.backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(backend.sent()).isEqualTo("EHLO client.example\r\n");
    backend.backendSays(POSTFIX_EHLO);
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }

  @Test
  void aHeloClientIsProtoSmtpAndItsHeloIsSentAgain() {
    start(Optional.of("HELO old.example"));
    assertThat(afterEhlo(POSTFIX_EHLO)).isEqualTo("XCLIENT ADDR=192.0.2.7 PORT=50321 PROTO=SMTP HELO=old.example"
        + " LOGIN=user@example.com NAME=[UNAVAILABLE] DESTADDR=198.51.100.1 DESTPORT=587\r\n");
    backend.backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(backend.sent()).isEqualTo("HELO old.example\r\n");
    backend.backendSays("250 postfix.example\r\n");
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }

  @Test
  void aClientWithoutHeloSendsNeitherProtoNorHeloAndOurEhloFollows() {
    start(Optional.empty());
    assertThat(afterEhlo(POSTFIX_EHLO)).isEqualTo("XCLIENT ADDR=192.0.2.7 PORT=50321 LOGIN=user@example.com"
        + " NAME=[UNAVAILABLE] DESTADDR=198.51.100.1 DESTPORT=587\r\n");
    backend.backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(backend.sent()).isEqualTo("EHLO mx.test\r\n");
  }

  @Test
  void aPartialListGetsOnlyWhatItNames() {
    start(Optional.of("EHLO client.example"));
    assertThat(afterEhlo("250-postfix.example\r\n250 XCLIENT NAME ADDR PORT\r\n"))
        .isEqualTo("XCLIENT ADDR=192.0.2.7 PORT=50321 NAME=[UNAVAILABLE]\r\n");
    assertThat(log.text()).contains("upstream's XCLIENT does not take LOGIN");
  }

  @Test
  void aBareXclientGetsNginxsCommand() {
    start(Optional.of("EHLO client.example"));
    assertThat(afterEhlo("250-postfix.example\r\n250 XCLIENT\r\n"))
        .isEqualTo("XCLIENT ADDR=192.0.2.7 LOGIN=user@example.com NAME=[UNAVAILABLE]\r\n");
  }

  @Test
  void aBackendWithoutXclientGetsNginxsCommandAsNginxTestsExpect() {
    start(Optional.of("EHLO client.example"));
    assertThat(afterEhlo("250 hello ok\r\n"))
        .isEqualTo("XCLIENT ADDR=192.0.2.7 LOGIN=user@example.com NAME=[UNAVAILABLE]\r\n");
    backend.backendSays("220 ok\r\n");
    assertThat(backend.sent()).isEqualTo("EHLO client.example\r\n");
  }

  @Test
  void aListOfUnknownAttributesGetsNoXclientAndTheLoginGoesOn() {
    start(Optional.of("EHLO client.example"));
    assertThat(afterEhlo("250-postfix.example\r\n250 XCLIENT REVERSE_NAME\r\n")).isEmpty();
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }
}
