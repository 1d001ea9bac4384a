package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendCredentials;
import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.log.SessionLog;
import io.mailgate.sasl.Mechanism;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backend login of {@code proxy_backend_login token}: AUTH with the client's mechanism and token. */
class SmtpBackendLoginTokenTest {

  private EmbeddedChannel channel;
  private Promise<String> result;

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private void start(boolean xclient, boolean proxySmtpAuth, Mechanism mechanism, String token) {
    SmtpLoginPlan plan = new SmtpLoginPlan("mx.test", xclient, proxySmtpAuth,
        SmtpXclientTest.client(Optional.of("client.example")),
        Optional.of("EHLO client.example".getBytes(StandardCharsets.US_ASCII)), true, Optional.empty(), Set.of(),
        new SessionLog("io.mailgate.session", 1, "127.0.0.1", "127.0.0.1:25", "00000000000000ab"));
    SmtpBackendLogin login = new SmtpBackendLogin(plan);
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(BackendCredentials.token("test@example.com".getBytes(StandardCharsets.UTF_8), mechanism,
        token.getBytes(StandardCharsets.UTF_8)), result, Optional.empty());
    channel.pipeline().addLast(new LineBasedFrameDecoder(4096, true, false), login);
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
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

  private BackendLoginException failure() {
    assertThat(result.isDone()).isTrue();
    return (BackendLoginException) result.cause();
  }

  /** Greeting and EHLO without XCLIENT; what is sent after the EHLO reply is returned. */
  private String untilAuth() {
    backendSays("220 backend ESMTP\r\n");
    assertThat(sent()).isEqualTo("EHLO mx.test\r\n");
    backendSays("250-backend\r\n250 AUTH PLAIN XOAUTH2 OAUTHBEARER\r\n");
    return sent();
  }

  @Test
  void theTokenGoesWithTheClientsMechanismEvenWithoutProxySmtpAuth() {
    start(false, false, Mechanism.XOAUTH2, "tok-123");
    assertThat(untilAuth()).isEqualTo("AUTH XOAUTH2 "
        + b64("user=test@example.com\u0001auth=Bearer tok-123\u0001\u0001") + "\r\n");
    backendSays("235 2.7.0 Authentication successful\r\n");
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }

  @Test
  void oauthbearerIsPassedOnAsOauthbearer() {
    start(false, true, Mechanism.OAUTHBEARER, "tok-123");
    assertThat(untilAuth()).isEqualTo("AUTH OAUTHBEARER "
        + b64("n,a=test@example.com,\u0001auth=Bearer tok-123\u0001\u0001") + "\r\n");
  }

  @Test
  void xclientStillCarriesAddressAndNameButNoLogin() {
    start(true, false, Mechanism.XOAUTH2, "tok-123");
    backendSays("220 backend ESMTP\r\n");
    sent();
    backendSays("250-backend\r\n250 XCLIENT NAME ADDR LOGIN\r\n");
    assertThat(sent()).isEqualTo("XCLIENT ADDR=127.0.0.1 NAME=[UNAVAILABLE]\r\n");
    backendSays("220 backend ESMTP\r\n");
    assertThat(sent()).isEqualTo("EHLO client.example\r\n");
    backendSays("250-backend\r\n250 AUTH XOAUTH2\r\n");
    assertThat(sent()).startsWith("AUTH XOAUTH2 ");
    backendSays("235 2.7.0 Authentication successful\r\n");
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }

  @Test
  void aTokenTooLongForTheCommandLineGoesOnThe334Line() {
    String token = "t".repeat(600);
    start(false, false, Mechanism.XOAUTH2, token);
    assertThat(untilAuth()).isEqualTo("AUTH XOAUTH2\r\n");
    backendSays("334 \r\n");
    assertThat(sent()).isEqualTo(b64("user=test@example.com\u0001auth=Bearer " + token + "\u0001\u0001") + "\r\n");
    backendSays("235 2.7.0 Authentication successful\r\n");
    assertThat(result.getNow()).isEqualTo(SmtpBackendLogin.AUTH_OK);
  }

  @Test
  void anErrorChallengeIsAnsweredAndThe535IsARejection() {
    start(false, false, Mechanism.OAUTHBEARER, "tok-999");
    untilAuth();
    backendSays("334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n");
    assertThat(sent()).isEqualTo("AQ==\r\n");
    assertThat(result.isDone()).isFalse();
    backendSays("535 5.7.8 Error: authentication failed: Invalid token\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure().backendReply()).contains("535 5.7.8 Error: authentication failed: Invalid token\r\n");
    assertThat(failure().getMessage()).doesNotContain("tok-999");
  }

  @Test
  void xoauth2AnswersTheErrorChallengeWithAnEmptyLine() {
    start(false, false, Mechanism.XOAUTH2, "tok-999");
    untilAuth();
    backendSays("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    assertThat(sent()).isEqualTo("\r\n");
    backendSays("535 5.7.8 Error: authentication failed\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
  }

  @Test
  void a535WithoutChallengeIsARejection() {
    start(false, false, Mechanism.XOAUTH2, "tok-999");
    untilAuth();
    backendSays("535 5.7.8 Error: authentication failed\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
  }
}
