package io.mailgate.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendCredentials;
import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.sasl.Mechanism;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backend login of {@code proxy_backend_login token}: RFC 5034 AUTH with the client's mechanism and token. */
class Pop3BackendLoginTokenTest {

  private EmbeddedChannel channel;
  private Promise<String> result;

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private void start(Mechanism mechanism, String token) {
    Pop3BackendLogin login = new Pop3BackendLogin();
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

  @Test
  void aShortTokenGoesAsInitialResponseAndTheBackendsOkIsRelayed() {
    start(Mechanism.XOAUTH2, "tok-123");
    backendSays("+OK Dovecot ready.\r\n");
    assertThat(sent()).isEqualTo("AUTH XOAUTH2 " + b64("user=test@example.com\u0001auth=Bearer tok-123\u0001\u0001")
        + "\r\n");
    backendSays("+OK Logged in.\r\n");
    assertThat(result.getNow()).isEqualTo("+OK Logged in.\r\n");
  }

  @Test
  void oauthbearerIsPassedOnAsOauthbearer() {
    start(Mechanism.OAUTHBEARER, "tok-123");
    backendSays("+OK ready\r\n");
    assertThat(sent()).isEqualTo("AUTH OAUTHBEARER "
        + b64("n,a=test@example.com,\u0001auth=Bearer tok-123\u0001\u0001") + "\r\n");
  }

  @Test
  void aTokenTooLongFor255OctetsFollowsTheEmptyContinuation() {
    String token = "t".repeat(300);
    start(Mechanism.XOAUTH2, token);
    backendSays("+OK ready\r\n");
    assertThat(sent()).isEqualTo("AUTH XOAUTH2\r\n");
    backendSays("+ \r\n");
    assertThat(sent()).isEqualTo(b64("user=test@example.com\u0001auth=Bearer " + token + "\u0001\u0001") + "\r\n");
    backendSays("+OK Logged in.\r\n");
    assertThat(result.getNow()).isEqualTo("+OK Logged in.\r\n");
  }

  @Test
  void anErrorChallengeIsAnsweredAndTheFinalErrIsARejection() {
    start(Mechanism.OAUTHBEARER, "tok-999");
    backendSays("+OK ready\r\n");
    sent();
    backendSays("+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n");
    assertThat(sent()).isEqualTo("AQ==\r\n");
    assertThat(result.isDone()).isFalse();
    backendSays("-ERR [AUTH] Authentication failed.\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure().backendReply()).contains("-ERR [AUTH] Authentication failed.\r\n");
  }

  @Test
  void anErrWithoutChallengeIsARejection() {
    start(Mechanism.XOAUTH2, "tok-999");
    backendSays("+OK ready\r\n");
    sent();
    backendSays("-ERR [AUTH] Authentication failed.\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure().getMessage()).doesNotContain("tok-999");
  }

  @Test
  void aBackendWithoutTheMechanismRefusesTheAuthCommand() {
    start(Mechanism.XOAUTH2, "t".repeat(300));
    backendSays("+OK ready\r\n");
    sent();
    backendSays("-ERR Unsupported authentication mechanism.\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(sent()).isEmpty();
  }
}
