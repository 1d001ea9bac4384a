package io.mailgate.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ImapBackendLoginTest {

  private EmbeddedChannel channel;
  private Promise<String> result;

  private void start(String user, String password) {
    ImapBackendLogin login = new ImapBackendLogin("a1");
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(user.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8), result);
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

  @Test
  void logsInWithSynchronizingLiteralsAndRelaysTheTaggedOkWithUntaggedLinesBeforeIt() {
    start("test@example.com", "se cret");
    backendSays("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    assertThat(sent()).isEqualTo("a1 LOGIN {16}\r\n");
    backendSays("+ go\r\n");
    assertThat(sent()).isEqualTo("test@example.com {7}\r\n");
    backendSays("+ go\r\n");
    assertThat(sent()).isEqualTo("se cret\r\n");
    assertThat(result.isDone()).isFalse();
    backendSays("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  }

  @Test
  void sendsEverythingAtOnceWhenTheGreetingAnnouncesLiteralPlus() {
    start("u\u00e9", "p");
    backendSays("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Dovecot ready.\r\n");
    assertThat(sent()).isEqualTo("a1 LOGIN {3+}\r\nu\u00c3\u00a9 {1+}\r\np\r\n");
    backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void aRejectedLoginFailsWithTheBackendLineForProxyPassErrorMessage() {
    start("u", "p");
    backendSays("* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
    sent();
    backendSays("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    BackendLoginException failure = (BackendLoginException) result.cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure.backendReply()).contains("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    assertThat(failure.getMessage()).doesNotContain("p\r\n");
  }

  @Test
  void greetingsThatCannotLeadToALoginFail() {
    start("u", "p");
    backendSays("* PREAUTH [CAPABILITY IMAP4rev1] logged in as someone\r\n");
    assertThat(((BackendLoginException) result.cause()).failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    channel.finishAndReleaseAll();

    start("u", "p");
    backendSays("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] no plaintext\r\n");
    assertThat(((BackendLoginException) result.cause()).failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    assertThat(sent()).isEmpty();
    channel.finishAndReleaseAll();

    start("u", "p");
    backendSays("* BYE too busy\r\n");
    BackendLoginException bye = (BackendLoginException) result.cause();
    assertThat(bye.failure()).isEqualTo(BackendFailure.PROTOCOL);
    assertThat(bye.backendReply()).isEqualTo(Optional.of("* BYE too busy\r\n"));
  }

  @Test
  void aBackendThatClosesDuringTheLoginIsAConnectFailure() {
    start("u", "p");
    backendSays("* OK hi\r\n");
    channel.close();
    assertThat(((BackendLoginException) result.cause()).failure()).isEqualTo(BackendFailure.CONNECT);
  }

  @Test
  void aTooLongResponseLineIsAProtocolFailure() {
    start("u", "p");
    backendSays("* OK " + "x".repeat(5000) + "\r\n");
    assertThat(((BackendLoginException) result.cause()).failure()).isEqualTo(BackendFailure.PROTOCOL);
  }
}
