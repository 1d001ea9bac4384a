package io.mailgate.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendCredentials;
import io.mailgate.log.SessionLog;
import io.mailgate.sasl.Mechanism;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.StartTlsLoginHarness;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
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

  private EmbeddedChannel channel;
  private Promise<String> result;
  private Pop3BackendLogin login;
  private LogCapture log;

  private void start(Optional<Pop3Xclient> xclient) {
    startWith(xclient, BackendCredentials.password(bytes("u"), bytes("p")));
  }

  private void startWith(Optional<Pop3Xclient> xclient, BackendCredentials credentials) {
    login = new Pop3BackendLogin(xclient,
        new SessionLog("io.mailgate.session", 1, "192.0.2.9", "127.0.0.1:110", "00000000000000ab"));
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(credentials, result, Optional.empty());
    channel.pipeline().addLast(new LineBasedFrameDecoder(4096, true, false), login);
    channel.pipeline().fireChannelActive();
    log = LogCapture.onRootAtDebug();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
    log.close();
  }

  private void backendSays(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  private String sent() {
    StringBuilder all = new StringBuilder();
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      all.append(out.toString(StandardCharsets.ISO_8859_1));
      out.release();
    }
    return all.toString();
  }

  private String warnings() {
    return String.join("\n", log.events().stream().filter(e -> e.contains("XCLIENT")).toList());
  }

  @Test
  void dovecotsGreetingTagGetsXclientPipelinedWithUser() {
    start(Optional.of(CLIENT));
    backendSays("+OK [XCLIENT] Dovecot (Debian) ready.\r\n");
    assertThat(sent()).isEqualTo(XCLIENT + "USER u\r\n");
    assertThat(login.action()).isEqualTo("sending XCLIENT to upstream");
    backendSays("+OK Updated\r\n");
    assertThat(sent()).isEmpty();
    backendSays("+OK\r\n");
    assertThat(sent()).isEqualTo("PASS p\r\n");
    backendSays("+OK Logged in.\r\n");
    assertThat(result.getNow()).isEqualTo("+OK Logged in.\r\n");
    assertThat(warnings()).isEmpty();
  }

  @Test
  void withoutTheTagCapaIsAskedAndItsXclientLineWins() {
    start(Optional.of(CLIENT));
    backendSays("+OK POP3 ready\r\n");
    assertThat(sent()).isEqualTo("CAPA\r\n");
    assertThat(login.action()).isEqualTo("sending CAPA to upstream");
    backendSays("+OK Capability list follows\r\nUSER\r\nxclient ADDR PORT\r\nPIPELINING\r\n.\r\n");
    assertThat(sent()).isEqualTo(XCLIENT + "USER u\r\n");
    backendSays("+OK\r\n+OK\r\n");
    assertThat(sent()).isEqualTo("PASS p\r\n");
  }

  @Test
  void withoutPipeliningXclientsReplyIsAwaitedBeforeUser() {
    start(Optional.of(CLIENT));
    backendSays("+OK POP3 ready\r\n");
    sent();
    backendSays("+OK\r\nUSER\r\nXCLIENT\r\n.\r\n");
    assertThat(sent()).isEqualTo(XCLIENT);
    assertThat(login.action()).isEqualTo("sending XCLIENT to upstream");
    backendSays("+OK Updated\r\n");
    assertThat(sent()).isEqualTo("USER u\r\n");
  }

  @Test
  void aBackendWithoutXclientInCapaGetsNone() {
    start(Optional.of(CLIENT));
    backendSays("+OK POP3 ready\r\n");
    sent();
    backendSays("+OK\r\nUSER\r\nPIPELINING\r\nSASL PLAIN\r\n.\r\n");
    assertThat(sent()).isEqualTo("USER u\r\n");
    assertThat(warnings()).doesNotContain("refused").doesNotContain("ignored");
  }

  @Test
  void aBackendWithoutCapaGetsNoXclient() {
    start(Optional.of(CLIENT));
    backendSays("+OK POP3 ready\r\n");
    sent();
    backendSays("-ERR unknown command\r\n");
    assertThat(sent()).isEqualTo("USER u\r\n");
    backendSays("+OK\r\n");
    assertThat(sent()).isEqualTo("PASS p\r\n");
  }

  @Test
  void aRefusedXclientIsWarnedOnceAndTheLoginGoesOn() {
    start(Optional.of(CLIENT));
    backendSays("+OK [XCLIENT] ready\r\n");
    sent();
    backendSays("-ERR Invalid parameters\r\n+OK\r\n");
    assertThat(sent()).isEqualTo("PASS p\r\n");
    backendSays("+OK Logged in.\r\n");
    assertThat(result.getNow()).isEqualTo("+OK Logged in.\r\n");
    assertThat(log.events()).filteredOn(e -> e.contains("XCLIENT")).singleElement().asString()
        .contains("upstream refused XCLIENT (\"-ERR Invalid parameters\")");
  }

  @Test
  void dovecotIgnoringAnUntrustedProxyIsWarned() {
    start(Optional.of(CLIENT));
    backendSays("+OK ready\r\n+OK\r\nXCLIENT\r\nPIPELINING\r\n.\r\n");
    assertThat(sent()).isEqualTo("CAPA\r\n" + XCLIENT + "USER u\r\n");
    backendSays("+OK You are not from trusted IP - ignoring\r\n+OK\r\n");
    assertThat(sent()).isEqualTo("PASS p\r\n");
    assertThat(warnings()).contains("upstream ignored XCLIENT").contains("login_trusted_networks");
  }

  @Test
  void aUnixSocketClientSendsNeitherAddrNorPort() {
    start(Optional.of(new Pop3Xclient(Optional.empty(), "00000000000000cd")));
    backendSays("+OK [XCLIENT] ready\r\n");
    assertThat(sent()).isEqualTo("XCLIENT SESSION=00000000000000cd TTL=4\r\nUSER u\r\n");
  }

  @Test
  void anIpv6ClientIsSentWithoutBracketsAsDovecotParsesIt() {
    start(Optional.of(new Pop3Xclient(Optional.of(new InetSocketAddress("2001:db8:0:0:0:0:0:1", 995)), "ab")));
    backendSays("+OK [XCLIENT] ready\r\n");
    assertThat(sent()).isEqualTo("XCLIENT ADDR=2001:db8::1 PORT=995 SESSION=ab TTL=4\r\nUSER u\r\n");
  }

  @Test
  void aTokenLoginGetsXclientBeforeItsAuth() {
    startWith(Optional.of(CLIENT), BackendCredentials.token(bytes("u"), Mechanism.XOAUTH2, bytes("tok")));
    backendSays("+OK [XCLIENT] ready\r\n");
    assertThat(sent()).startsWith(XCLIENT + "AUTH XOAUTH2 ");
    backendSays("+OK Updated\r\n+OK Logged in.\r\n");
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
    backendSays("+OK [XCLIENT] Dovecot ready.\r\n");
    assertThat(sent()).isEqualTo("USER u\r\n");
    backendSays("+OK\r\n");
    assertThat(sent()).isEqualTo("PASS p\r\n");
  }
}
