package io.mailgate.imap;

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

/** The backend login of {@code proxy_backend_login token}: AUTHENTICATE with the client's mechanism and token. */
class ImapBackendLoginTokenTest {

  private static final String XOAUTH2_IR = b64("user=test@example.com\u0001auth=Bearer tok-123\u0001\u0001");
  private static final String OAUTHBEARER_IR = b64("n,a=test@example.com,\u0001auth=Bearer tok-123\u0001\u0001");

  private EmbeddedChannel channel;
  private Promise<String> result;

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private void start(Mechanism mechanism) {
    ImapBackendLogin login = new ImapBackendLogin("a1");
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(BackendCredentials.token("test@example.com".getBytes(StandardCharsets.UTF_8), mechanism,
        "tok-123".getBytes(StandardCharsets.UTF_8)), result, Optional.empty());
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
  void withSaslIrTheTokenGoesOnTheCommandLineAndTheTaggedOkIsRelayed() {
    start(Mechanism.XOAUTH2);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER] ready\r\n");
    assertThat(sent()).isEqualTo("a1 AUTHENTICATE XOAUTH2 " + XOAUTH2_IR + "\r\n");
    backendSays("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  }

  @Test
  void oauthbearerIsPassedOnAsOauthbearer() {
    start(Mechanism.OAUTHBEARER);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready\r\n");
    assertThat(sent()).isEqualTo("a1 AUTHENTICATE OAUTHBEARER " + OAUTHBEARER_IR + "\r\n");
    backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void withoutSaslIrTheTokenFollowsTheEmptyContinuation() {
    start(Mechanism.XOAUTH2);
    backendSays("* OK IMAP4rev1 ready\r\n");
    assertThat(sent()).isEqualTo("a1 AUTHENTICATE XOAUTH2\r\n");
    backendSays("+ \r\n");
    assertThat(sent()).isEqualTo(XOAUTH2_IR + "\r\n");
    backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void anErrorChallengeIsAnsweredSoTheFinalNoFailsTheLoginAsARejection() {
    start(Mechanism.OAUTHBEARER);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready\r\n");
    sent();
    backendSays("+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n");
    assertThat(sent()).isEqualTo("AQ==\r\n");
    assertThat(result.isDone()).isFalse();
    backendSays("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure().backendReply()).contains("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    assertThat(failure().getMessage()).doesNotContain("tok-123");
  }

  @Test
  void xoauth2AnswersTheErrorChallengeWithAnEmptyLine() {
    start(Mechanism.XOAUTH2);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n");
    sent();
    backendSays("+ eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    assertThat(sent()).isEqualTo("\r\n");
    backendSays("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
  }

  @Test
  void aPlainNoWithoutChallengeIsARejectionToo() {
    start(Mechanism.XOAUTH2);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n");
    sent();
    backendSays("a1 NO [AUTHENTICATIONFAILED] bad token\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure().backendReply()).contains("a1 NO [AUTHENTICATIONFAILED] bad token\r\n");
  }

  @Test
  void aSecondChallengeAfterTheErrorChallengeIsAProtocolError() {
    start(Mechanism.XOAUTH2);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n");
    sent();
    backendSays("+ e30=\r\n");
    sent();
    backendSays("+ e30=\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.PROTOCOL);
  }

  @Test
  void aBackendAnnouncingOtherMechanismsOnlyIsAConfigurationProblem() {
    start(Mechanism.OAUTHBEARER);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2] ready\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    assertThat(failure().getMessage()).isEqualTo("upstream does not announce AUTH=OAUTHBEARER for passing the client's"
        + " token on");
    assertThat(sent()).isEmpty();
  }

  @Test
  void loginDisabledDoesNotStopATokenLogin() {
    start(Mechanism.XOAUTH2);
    backendSays("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGINDISABLED AUTH=XOAUTH2] ready\r\n");
    assertThat(sent()).startsWith("a1 AUTHENTICATE XOAUTH2 ");
  }
}
