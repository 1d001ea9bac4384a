package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.log.SessionLog;
import io.mailgate.testkit.LogCapture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
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

  private EmbeddedChannel channel;
  private Promise<String> result;
  private LogCapture log;

  /** A client 192.0.2.7:50321 that connected to 198.51.100.1:587 and said {@code heloLine} (or nothing). */
  private void start(Optional<String> heloLine) {
    Optional<String> helo = heloLine.map(l -> l.substring(5));
    boolean esmtp = heloLine.map(l -> l.startsWith("EHLO")).orElse(false);
    SmtpXclient client = new SmtpXclient("192.0.2.7", Optional.of(new InetSocketAddress("192.0.2.7", 50321)),
        "[UNAVAILABLE]", helo.map(SmtpBackendLoginXclientTest::bytes), esmtp,
        Optional.of(new InetSocketAddress("198.51.100.1", 587)));
    SmtpLoginPlan plan = new SmtpLoginPlan("mx.test", true, false, client,
        heloLine.map(SmtpBackendLoginXclientTest::bytes), esmtp, Optional.empty(), Set.of(),
        new SessionLog("io.mailgate.session", 1, "192.0.2.7", "127.0.0.1:587", "00000000000000ab"));
    SmtpBackendLogin login = new SmtpBackendLogin(plan);
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(bytes("user@example.com"), bytes("secret"), result);
    channel.pipeline().addLast(new LineBasedFrameDecoder(4096, true, false), login);
    log = LogCapture.onRootAtDebug();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
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

  /** Greeting, our EHLO and its reply {@code ehloReply}; returns what followed it. */
  private String afterEhlo(String ehloReply) {
    backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(sent()).isEqualTo("EHLO mx.test\r\n");
    backendSays(ehloReply);
    return sent();
  }

  @Test
  void postfixGetsPortProtoHeloAndTheDestinationThenTheClientsEhloAgain() {
    start(Optional.of("EHLO client.example"));
    assertThat(afterEhlo(POSTFIX_EHLO)).isEqualTo("XCLIENT ADDR=192.0.2.7 PORT=50321 PROTO=ESMTP HELO=client.example"
        + " LOGIN=user@example.com NAME=[UNAVAILABLE] DESTADDR=198.51.100.1 DESTPORT=587\r\n");
    // XCLIENT_README: the server "resets state to the initial SMTP greeting protocol stage" and answers 220.
    backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(sent()).isEqualTo("EHLO client.example\r\n");
    backendSays(POSTFIX_EHLO);
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }

  @Test
  void aHeloClientIsProtoSmtpAndItsHeloIsSentAgain() {
    start(Optional.of("HELO old.example"));
    assertThat(afterEhlo(POSTFIX_EHLO)).isEqualTo("XCLIENT ADDR=192.0.2.7 PORT=50321 PROTO=SMTP HELO=old.example"
        + " LOGIN=user@example.com NAME=[UNAVAILABLE] DESTADDR=198.51.100.1 DESTPORT=587\r\n");
    backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(sent()).isEqualTo("HELO old.example\r\n");
    backendSays("250 postfix.example\r\n");
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }

  @Test
  void aClientWithoutHeloSendsNeitherProtoNorHeloAndOurEhloFollows() {
    start(Optional.empty());
    assertThat(afterEhlo(POSTFIX_EHLO)).isEqualTo("XCLIENT ADDR=192.0.2.7 PORT=50321 LOGIN=user@example.com"
        + " NAME=[UNAVAILABLE] DESTADDR=198.51.100.1 DESTPORT=587\r\n");
    backendSays("220 postfix.example ESMTP Postfix\r\n");
    assertThat(sent()).isEqualTo("EHLO mx.test\r\n");
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
    backendSays("220 ok\r\n");
    assertThat(sent()).isEqualTo("EHLO client.example\r\n");
  }

  @Test
  void aListOfUnknownAttributesGetsNoXclientAndTheLoginGoesOn() {
    start(Optional.of("EHLO client.example"));
    assertThat(afterEhlo("250-postfix.example\r\n250 XCLIENT REVERSE_NAME\r\n")).isEmpty();
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }
}
