package io.mailgate.pop3;

import static io.mailgate.testkit.EmbeddedBackendLogin.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.EmbeddedBackendLogin;
import io.mailgate.backend.BackendCredentials;
import io.mailgate.log.SessionLog;
import io.mailgate.sasl.Mechanism;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.StartTlsLoginHarness;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code proxy_client_identity on}: XCLIENT before the login, as Dovecot's pop3-login takes it. */
class Pop3BackendLoginXclientTest {

  private static final Pop3Xclient CLIENT =
      new Pop3Xclient(Optional.of(new InetSocketAddress("192.0.2.9", 4711)), "00000000000000ab");
  private static final String XCLIENT = "XCLIENT ADDR=192.0.2.9 PORT=4711 SESSION=00000000000000ab TTL=4\r\n";

  private EmbeddedBackendLogin backend;
  private Promise<String> result;
  private Pop3BackendLogin login;
  private LogCapture log;

  private void start(Optional<Pop3Xclient> xclient) {
    startWith(xclient, BackendCredentials.password(bytes("u"), bytes("p")));
  }

  private void startWith(Optional<Pop3Xclient> xclient, BackendCredentials credentials) {
    login = new Pop3BackendLogin(xclient,
        new SessionLog("io.mailgate.session", 1, "192.0.2.9", "127.0.0.1:110", "00000000000000ab"));
    backend = EmbeddedBackendLogin.start(login, credentials, true);
    result = backend.result();
    log = LogCapture.onRootAtDebug();
  }

  @AfterEach
  void finish() {
    backend.close();
    log.close();
  }

  private String warnings() {
    return String.join("\n", log.events().stream().filter(e -> e.contains("XCLIENT")).toList());
  }

  @Test
  void dovecotsGreetingTagGetsXclientPipelinedWithUser() {
    start(Optional.of(CLIENT));
    backend.backendSays("+OK [XCLIENT] Dovecot (Debian) ready.\r\n");
    assertThat(backend.sent()).isEqualTo(XCLIENT + "USER u\r\n");
    assertThat(login.action()).isEqualTo("sending XCLIENT to upstream");
    backend.backendSays("+OK Updated\r\n");
    assertThat(backend.sent()).isEmpty();
    backend.backendSays("+OK\r\n");
    assertThat(backend.sent()).isEqualTo("PASS p\r\n");
    backend.backendSays("+OK Logged in.\r\n");
    assertThat(result.getNow()).isEqualTo("+OK Logged in.\r\n");
    assertThat(warnings()).isEmpty();
  }

  @Test
  void withoutTheTagCapaIsAskedAndItsXclientLineWins() {
    start(Optional.of(CLIENT));
    backend.backendSays("+OK POP3 ready\r\n");
    assertThat(backend.sent()).isEqualTo("CAPA\r\n");
    assertThat(login.action()).isEqualTo("sending CAPA to upstream");
    backend.backendSays("+OK Capability list follows\r\nUSER\r\nxclient ADDR PORT\r\nPIPELINING\r\n.\r\n");
    assertThat(backend.sent()).isEqualTo(XCLIENT + "USER u\r\n");
    backend.backendSays("+OK\r\n+OK\r\n");
    assertThat(backend.sent()).isEqualTo("PASS p\r\n");
  }

  @Test
  void withoutPipeliningXclientsReplyIsAwaitedBeforeUser() {
    start(Optional.of(CLIENT));
    backend.backendSays("+OK POP3 ready\r\n");
    backend.sent();
    backend.backendSays("+OK\r\nUSER\r\nXCLIENT\r\n.\r\n");
    assertThat(backend.sent()).isEqualTo(XCLIENT);
    assertThat(login.action()).isEqualTo("sending XCLIENT to upstream");
    backend.backendSays("+OK Updated\r\n");
    assertThat(backend.sent()).isEqualTo("USER u\r\n");
  }

  @Test
  void aBackendWithoutXclientInCapaGetsNone() {
    start(Optional.of(CLIENT));
    backend.backendSays("+OK POP3 ready\r\n");
    backend.sent();
    backend.backendSays("+OK\r\nUSER\r\nPIPELINING\r\nSASL PLAIN\r\n.\r\n");
    assertThat(backend.sent()).isEqualTo("USER u\r\n");
    assertThat(warnings()).doesNotContain("refused").doesNotContain("ignored");
  }

  @Test
  void aBackendWithoutCapaGetsNoXclient() {
    start(Optional.of(CLIENT));
    backend.backendSays("+OK POP3 ready\r\n");
    backend.sent();
    backend.backendSays("-ERR unknown command\r\n");
    assertThat(backend.sent()).isEqualTo("USER u\r\n");
    backend.backendSays("+OK\r\n");
    assertThat(backend.sent()).isEqualTo("PASS p\r\n");
  }

  @Test
  void aRefusedXclientIsWarnedOnceAndTheLoginGoesOn() {
    start(Optional.of(CLIENT));
    backend.backendSays("+OK [XCLIENT] ready\r\n");
    backend.sent();
    backend.backendSays("-ERR Invalid parameters\r\n+OK\r\n");
    assertThat(backend.sent()).isEqualTo("PASS p\r\n");
    backend.backendSays("+OK Logged in.\r\n");
    assertThat(result.getNow()).isEqualTo("+OK Logged in.\r\n");
    assertThat(log.events()).filteredOn(e -> e.contains("XCLIENT")).singleElement().asString()
        .contains("upstream refused XCLIENT (\"-ERR Invalid parameters\")");
  }

  @Test
  void dovecotIgnoringAnUntrustedProxyIsWarned() {
    start(Optional.of(CLIENT));
    backend.backendSays("+OK ready\r\n+OK\r\nXCLIENT\r\nPIPELINING\r\n.\r\n");
    assertThat(backend.sent()).isEqualTo("CAPA\r\n" + XCLIENT + "USER u\r\n");
    backend.backendSays("+OK You are not from trusted IP - ignoring\r\n+OK\r\n");
    assertThat(backend.sent()).isEqualTo("PASS p\r\n");
    assertThat(warnings()).contains("upstream ignored XCLIENT").contains("login_trusted_networks");
  }

  @Test
  void aUnixSocketClientSendsNeitherAddrNorPort() {
    start(Optional.of(new Pop3Xclient(Optional.empty(), "00000000000000cd")));
    backend.backendSays("+OK [XCLIENT] ready\r\n");
    assertThat(backend.sent()).isEqualTo("XCLIENT SESSION=00000000000000cd TTL=4\r\nUSER u\r\n");
  }

  @Test
  void anIpv6ClientIsSentWithoutBracketsAsDovecotParsesIt() {
    start(Optional.of(new Pop3Xclient(Optional.of(new InetSocketAddress("2001:db8:0:0:0:0:0:1", 995)), "ab")));
    backend.backendSays("+OK [XCLIENT] ready\r\n");
    assertThat(backend.sent()).isEqualTo("XCLIENT ADDR=2001:db8::1 PORT=995 SESSION=ab TTL=4\r\nUSER u\r\n");
  }

  @Test
  void aTokenLoginGetsXclientBeforeItsAuth() {
    startWith(Optional.of(CLIENT), BackendCredentials.token(bytes("u"), Mechanism.XOAUTH2, bytes("tok")));
    backend.backendSays("+OK [XCLIENT] ready\r\n");
    assertThat(backend.sent()).startsWith(XCLIENT + "AUTH XOAUTH2 ");
    backend.backendSays("+OK Updated\r\n+OK Logged in.\r\n");
    assertThat(result.getNow()).isEqualTo("+OK Logged in.\r\n");
  }

  @Test
  void withStlsXclientGoesOnlyOverTlsAfterTheGreetingTag() throws Exception {
    start(Optional.empty());
    try (StartTlsLoginHarness tls = new StartTlsLoginHarness(xclientLogin())) {
      tls.backendSays("+OK [XCLIENT] Dovecot ready.\r\n");
      assertThat(tls.sent()).isEqualTo("STLS\r\n");
      tls.backendSays("+OK Begin TLS negotiation now.\r\n");
      assertThat(tls.sent()).isEmpty();
      tls.completeHandshake();
      assertThat(tls.sentOverTls()).isEqualTo(XCLIENT + "USER u\r\n");
    }
  }

  @Test
  void withStlsCapaIsAskedOverTlsOnly() throws Exception {
    start(Optional.empty());
    try (StartTlsLoginHarness tls = new StartTlsLoginHarness(xclientLogin())) {
      tls.backendSays("+OK ready\r\n");
      assertThat(tls.sent()).isEqualTo("STLS\r\n");
      tls.backendSays("+OK\r\n");
      tls.completeHandshake();
      assertThat(tls.sentOverTls()).isEqualTo("CAPA\r\n");
      tls.backendSaysOverTls("+OK\r\nXCLIENT\r\nPIPELINING\r\n.\r\n");
      assertThat(tls.sentOverTls()).isEqualTo(XCLIENT + "USER u\r\n");
    }
  }

  private static Pop3BackendLogin xclientLogin() {
    return new Pop3BackendLogin(Optional.of(CLIENT),
        new SessionLog("io.mailgate.session", 1, "192.0.2.9", "127.0.0.1:110", "00000000000000ab"));
  }

  @Test
  void offSendsTheBytesNginxSendsWhateverTheGreeting() {
    start(Optional.empty());
    backend.backendSays("+OK [XCLIENT] Dovecot ready.\r\n");
    assertThat(backend.sent()).isEqualTo("USER u\r\n");
    backend.backendSays("+OK\r\n");
    assertThat(backend.sent()).isEqualTo("PASS p\r\n");
  }
}
