package io.mailgate.imap;

import static io.mailgate.testkit.EmbeddedBackendLogin.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendCredentials;
import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.sasl.Mechanism;
import io.mailgate.testkit.EmbeddedBackendLogin;
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

  private EmbeddedBackendLogin backend;
  private Promise<String> result;
  private final List<String> debug = new ArrayList<>();
  /** Each write the login made, as one string. */
  private List<String> writes;

  private void start(BackendCredentials credentials) {
    ImapBackendLogin login = new ImapBackendLogin("a1", Optional.of(LIST), debug::add);
    backend = EmbeddedBackendLogin.start(login, credentials, false);
    result = backend.result();
    writes = backend.writes();
  }

  private void startPassword() {
    start(BackendCredentials.password(bytes("u"), bytes("p")));
  }

  @AfterEach
  void finish() {
    backend.close();
  }

  @Test
  void withLiteralPlusIdAndLoginGoInOneWrite() {
    startPassword();
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    assertThat(backend.sent()).isEqualTo(ID + "a1 LOGIN {1+}\r\nu {1+}\r\np\r\n");
    assertThat(writes).hasSize(1);
    backend.backendSays("* ID (\"name\" \"Dovecot\")\r\nmgI OK ID completed.\r\n");
    assertThat(result.isDone()).isFalse();
    backend.backendSays("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK Logged in\r\n");
    assertThat(debug).isEmpty();
  }

  @Test
  void withSynchronizingLiteralsTheIdRepliesBeforeTheContinuationAreConsumed() {
    startPassword();
    backend.backendSays("* OK IMAP4rev1 ready\r\n");
    assertThat(backend.sent()).isEqualTo(ID + "a1 LOGIN {1}\r\n");
    assertThat(writes).hasSize(1);
    backend.backendSays("* ID NIL\r\nmgI OK ID completed.\r\n+ OK\r\n");
    assertThat(backend.sent()).isEqualTo("u {1}\r\n");
    backend.backendSays("+ OK\r\n");
    assertThat(backend.sent()).isEqualTo("p\r\n");
    backend.backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void aBackendWithoutIdAnswersBadAndTheLoginGoesOn() {
    startPassword();
    backend.backendSays("* OK IMAP4rev1 ready\r\n");
    backend.sent();
    backend.backendSays("mgI BAD Error in IMAP command received by server.\r\n+ OK\r\n");
    assertThat(backend.sent()).isEqualTo("u {1}\r\n");
    backend.backendSays("+ OK\r\n");
    backend.sent();
    backend.backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
    assertThat(debug).containsExactly("upstream refused ID: \"mgI BAD Error in IMAP command received by server.\"");
  }

  @Test
  void aNoToIdIsLoggedToo() {
    startPassword();
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    backend.sent();
    backend.backendSays("mgI NO not now\r\na1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
    assertThat(debug).containsExactly("upstream refused ID: \"mgI NO not now\"");
  }

  @Test
  void capabilitiesWithoutIdMeanNoIdIsSent() {
    startPassword();
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    assertThat(backend.sent()).isEqualTo("a1 LOGIN {1+}\r\nu {1+}\r\np\r\n");
    assertThat(debug).containsExactly("upstream does not announce ID, the client's identity is not sent");
    backend.backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void aLoginReplyBeforeTheIdReplyIsHeldUntilIt() {
    startPassword();
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    backend.sent();
    backend.backendSays("a1 OK Logged in\r\n* 1 EXISTS\r\n");
    assertThat(result.isDone()).isFalse();
    backend.backendSays("* ID NIL\r\nmgI OK ID completed\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n* 1 EXISTS\r\n");
  }

  @Test
  void aRejectedLoginStillFailsAsARejection() {
    startPassword();
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    backend.sent();
    backend.backendSays("* ID NIL\r\nmgI OK ID completed\r\na1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    BackendLoginException failure = (BackendLoginException) result.cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.AUTH_REJECTED);
    assertThat(failure.backendReply()).contains("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  }

  @Test
  void aLaterStrayIdLineIsNotTakenForTheIdReply() {
    startPassword();
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    backend.sent();
    backend.backendSays("mgI OK ID completed\r\nmgI OK again\r\n");
    BackendLoginException failure = (BackendLoginException) result.cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.PROTOCOL);
  }

  @Test
  void withSaslIrIdAndAuthenticateGoInOneWrite() {
    start(BackendCredentials.token(bytes("u@example.com"), Mechanism.XOAUTH2, bytes("tok")));
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 ID SASL-IR AUTH=XOAUTH2] ready\r\n");
    String ir = Base64.getEncoder().encodeToString(bytes("user=u@example.com\u0001auth=Bearer tok\u0001\u0001"));
    assertThat(backend.sent()).isEqualTo(ID + "a1 AUTHENTICATE XOAUTH2 " + ir + "\r\n");
    assertThat(writes).hasSize(1);
    backend.backendSays("* ID NIL\r\nmgI OK ID completed\r\na1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void withoutSaslIrTheTokenFollowsTheContinuationAfterTheIdReplies() {
    start(BackendCredentials.token(bytes("u@example.com"), Mechanism.XOAUTH2, bytes("tok")));
    backend.backendSays("* OK IMAP4rev1 ready\r\n");
    assertThat(backend.sent()).isEqualTo(ID + "a1 AUTHENTICATE XOAUTH2\r\n");
    backend.backendSays("* ID NIL\r\nmgI OK ID completed\r\n+ \r\n");
    assertThat(backend.sent()).endsWith("\r\n").doesNotStartWith("mgI");
    backend.backendSays("a1 OK Logged in\r\n");
    assertThat(result.getNow()).isEqualTo("a1 OK Logged in\r\n");
  }

  @Test
  void withoutIdentityTheBytesAreTheSameAsBefore() {
    ImapBackendLogin login = new ImapBackendLogin("a1");
    backend = EmbeddedBackendLogin.withPassword(login, false);
    backend.backendSays("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready\r\n");
    assertThat(backend.sent()).isEqualTo("a1 LOGIN {1+}\r\nu {1+}\r\np\r\n");
  }
}
