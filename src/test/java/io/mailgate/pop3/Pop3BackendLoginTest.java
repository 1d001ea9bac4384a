package io.mailgate.pop3;

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

class Pop3BackendLoginTest {

  private EmbeddedChannel channel;
  private Promise<String> result;
  private Pop3BackendLogin login;

  private void start(byte[] user, byte[] password) {
    login = new Pop3BackendLogin();
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(user, password, result);
    channel.pipeline().addLast(new LineBasedFrameDecoder(4096, true, false), login);
  }

  private void start(String user, String password) {
    start(user.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
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
  void sendsUserThenPassAndRelaysTheBackendsOk() {
    start("test@example.com", "se cret");
    assertThat(login.action()).isEqualTo("connecting to upstream");
    backendSays("+OK ready <1.2@host>\r\n");
    assertThat(sent()).isEqualTo("USER test@example.com\r\n");
    backendSays("+OK user ok\r\n");
    assertThat(sent()).isEqualTo("PASS se cret\r\n");
    assertThat(result.isDone()).isFalse();
    backendSays("+OK [XSENDER] 2 messages\r\n");
    assertThat(result.getNow()).isEqualTo("+OK [XSENDER] 2 messages\r\n");
  }

  @Test
  void aResponseSplitAcrossReadsIsOneLine() {
    start("u", "p");
    backendSays("+O");
    assertThat(sent()).isEmpty();
    backendSays("K hi\r\n+OK\r");
    assertThat(sent()).isEqualTo("USER u\r\n");
    backendSays("\n");
    assertThat(sent()).isEqualTo("PASS p\r\n");
  }

  @Test
  void utf8LoginBytesAreSentUnchanged() {
    start("j\u00e9r\u00f4me", "p\u00e4ss");
    backendSays("+OK\r\n");
    assertThat(channel.<ByteBuf>readOutbound()).satisfies(buf -> {
      assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("USER j\u00e9r\u00f4me\r\n");
      buf.release();
    });
  }

  @Test
  void aRefusedPassFailsWithTheBackendsLineForProxyPassErrorMessage() {
    start("u", "p");
    backendSays("+OK\r\n+OK\r\n-ERR [IN-USE] locked\r\n");
    BackendLoginException failure = failure();
    assertThat(failure.failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure.backendReply()).contains("-ERR [IN-USE] locked\r\n");
    assertThat(failure.getMessage()).isEqualTo("upstream sent invalid response: \"-ERR [IN-USE] locked\"");
  }

  @Test
  void aRefusedUserFailsBeforeThePasswordIsSent() {
    start("u", "p");
    backendSays("+OK\r\n-ERR no such user\r\n");
    assertThat(sent()).isEqualTo("USER u\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure().backendReply()).contains("-ERR no such user\r\n");
  }

  @Test
  void aGreetingOtherThanOkIsAProtocolFailure() {
    start("u", "p");
    backendSays("-ERR [SYS/TEMP] busy\r\n");
    assertThat(sent()).isEmpty();
    assertThat(failure().failure()).isEqualTo(BackendFailure.PROTOCOL);
    assertThat(failure().backendReply()).contains("-ERR [SYS/TEMP] busy\r\n");
  }

  @Test
  void okIsCaseSensitiveAsInNginx() {
    start("u", "p");
    backendSays("+ok\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.PROTOCOL);
  }

  @Test
  void credentialsWithLineBreaksOrNulNeverReachTheBackend() {
    for (String[] pair : new String[][] {{"u\r\nDELE 1", "p"}, {"u", "p\nx"}, {"u", "p\0"}}) {
      start(pair[0], pair[1]);
      backendSays("+OK\r\n");
      assertThat(sent()).isEmpty();
      assertThat(failure().failure()).isEqualTo(BackendFailure.INTERNAL);
      assertThat(failure().backendReply()).isEqualTo(Optional.empty());
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void theBackendClosingMidLoginIsAConnectFailure() {
    start("u", "p");
    backendSays("+OK\r\n");
    sent();
    channel.close();
    assertThat(failure().failure()).isEqualTo(BackendFailure.CONNECT);
  }

  @Test
  void failureMessagesNeverContainThePassword() {
    start("u", "hunter2");
    backendSays("+OK\r\n+OK\r\n-ERR bad\r\n");
    assertThat(failure().getMessage()).doesNotContain("hunter2");
  }
}
