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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code proxy_client_identity on}: the backend login's ID command, pipelined before LOGIN or AUTHENTICATE. */
class ImapBackendLoginIdTest {

  private static final ImapIdList LIST = ImapIdList.ofPairs(List.of("name", "Thunderbird", "x-session-id", "s1"));
  private static final String ID = "mgI ID (\"name\" \"Thunderbird\" \"x-session-id\" \"s1\")\r\n";

  private EmbeddedChannel channel;
  private Promise<String> result;
  private final List<String> debug = new ArrayList<>();
  /** Each write the login made, as one string. */
  private final List<String> writes = new ArrayList<>();

  private void start(BackendCredentials credentials) {
    ImapBackendLogin login = new ImapBackendLogin("a1", Optional.of(LIST), debug::add);
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(credentials, result, Optional.empty());
    channel.pipeline().addLast(new LineBasedFrameDecoder(4096, true, false), login);
  }

  private void startPassword() {
    start(BackendCredentials.password(bytes("u"), bytes("p")));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  private void backendSays(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  /** What was written since the last call; each write is also kept in {@link #writes}. */
  private String sent() {
    StringBuilder all = new StringBuilder();
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      String write = out.toString(StandardCharsets.ISO_8859_1);
      writes.add(write);
      all.append(write);
      out.release();
    }
    return all.toString();
  }

  @Test
  void withLiteralPlusIdAndLoginGoInOneWrite() {
    startPassword();
    backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    assertThat(sent()).isEqualTo(ID + "a1 LOGIN {1+}\r\nu {1+}\r\np\r\n");
    assertThat(writes).hasSize(1);
    backendSays("* ID (\"name\" \"Dovecot\")\r\nmgI OK ID completed.\r\n");
    assertThat(result.isDone()).isFalse();
    backendSays("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK Logged in\r\n");
    assertThat(debug).isEmpty();
  }

  @Test
  void withSynchronizingLiteralsTheIdRepliesBeforeTheContinuationAreConsumed() {
    startPassword();
    backendSays("* OK IMAP4rev1 ready\r\n");
    assertThat(sent()).isEqualTo(ID + "a1 LOGIN {1}\r\n");
    assertThat(writes).hasSize(1);
    backendSays("* ID NIL\r\nmgI OK ID completed.\r\n+ OK\r\n");
    assertThat(sent()).isEqualTo("u {1}\r\n");
    backendSays("+ OK\r\n");
    assertThat(sent()).isEqualTo("p\r\n");
    backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void aBackendWithoutIdAnswersBadAndTheLoginGoesOn() {
    startPassword();
    backendSays("* OK IMAP4rev1 ready\r\n");
    sent();
    backendSays("mgI BAD Error in IMAP command received by server.\r\n+ OK\r\n");
    assertThat(sent()).isEqualTo("u {1}\r\n");
    backendSays("+ OK\r\n");
    sent();
    backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
    assertThat(debug).containsExactly("upstream refused ID: \"mgI BAD Error in IMAP command received by server.\"");
  }

  @Test
  void aNoToIdIsLoggedToo() {
    startPassword();
    backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    sent();
    backendSays("mgI NO not now\r\na1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
    assertThat(debug).containsExactly("upstream refused ID: \"mgI NO not now\"");
  }

  @Test
  void capabilitiesWithoutIdMeanNoIdIsSent() {
    startPassword();
    backendSays("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    assertThat(sent()).isEqualTo("a1 LOGIN {1+}\r\nu {1+}\r\np\r\n");
    assertThat(debug).containsExactly("upstream does not announce ID, the client's identity is not sent");
    backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void aLoginReplyBeforeTheIdReplyIsHeldUntilIt() {
    startPassword();
    backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    sent();
    backendSays("a1 OK Logged in\r\n* 1 EXISTS\r\n");
    assertThat(result.isDone()).isFalse();
    backendSays("* ID NIL\r\nmgI OK ID completed\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n* 1 EXISTS\r\n");
  }

  @Test
  void aRejectedLoginStillFailsAsARejection() {
    startPassword();
    backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    sent();
    backendSays("* ID NIL\r\nmgI OK ID completed\r\na1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    BackendLoginException failure = (BackendLoginException) result.cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure.backendReply()).contains("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  }

  @Test
  void aLaterStrayIdLineIsNotTakenForTheIdReply() {
    startPassword();
    backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    sent();
    backendSays("mgI OK ID completed\r\nmgI OK again\r\n");
    BackendLoginException failure = (BackendLoginException) result.cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.PROTOCOL);
  }

  @Test
  void withSaslIrIdAndAuthenticateGoInOneWrite() {
    start(BackendCredentials.token(bytes("u@example.com"), Mechanism.XOAUTH2, bytes("tok")));
    backendSays("* OK [CAPABILITY IMAP4rev1 ID SASL-IR AUTH=XOAUTH2] ready\r\n");
    String ir = Base64.getEncoder().encodeToString(bytes("user=u@example.com\u0001auth=Bearer tok\u0001\u0001"));
    assertThat(sent()).isEqualTo(ID + "a1 AUTHENTICATE XOAUTH2 " + ir + "\r\n");
    assertThat(writes).hasSize(1);
    backendSays("* ID NIL\r\nmgI OK ID completed\r\na1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void withoutSaslIrTheTokenFollowsTheContinuationAfterTheIdReplies() {
    start(BackendCredentials.token(bytes("u@example.com"), Mechanism.XOAUTH2, bytes("tok")));
    backendSays("* OK IMAP4rev1 ready\r\n");
    assertThat(sent()).isEqualTo(ID + "a1 AUTHENTICATE XOAUTH2\r\n");
    backendSays("* ID NIL\r\nmgI OK ID completed\r\n+ \r\n");
    assertThat(sent()).endsWith("\r\n").doesNotStartWith("mgI");
    backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void withoutIdentityTheBytesAreTheSameAsBefore() {
    ImapBackendLogin login = new ImapBackendLogin("a1");
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(bytes("u"), bytes("p"), result);
    channel.pipeline().addLast(new LineBasedFrameDecoder(4096, true, false), login);
    backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    assertThat(sent()).isEqualTo("a1 LOGIN {1+}\r\nu {1+}\r\np\r\n");
  }
}
