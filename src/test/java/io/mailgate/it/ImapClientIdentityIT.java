package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.auth.AuthRequest;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.ImapProxyFixture;
import io.mailgate.testkit.ImapProxyTestBase;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy_client_identity on} for IMAP, against a recording backend: the client's pre-login ID is answered
 * locally with {@code imap_id_fields}, and the backend gets one RFC 2971 ID command before LOGIN with the client's own
 * fields (spoofable ones dropped) and who the client is, as Dovecot's {@code login_trusted_networks} reads it.
 */
class ImapClientIdentityIT extends ImapProxyTestBase {

  private static final String TOKEN_MODE =
      "proxy_client_identity on; proxy_backend_login token; imap_auth plain xoauth2 oauthbearer;";

  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.onRootAtDebug();
  }

  @AfterEach
  void stopCapture() {
    log.close();
  }

  /** The error-log lines of the session with {@code id} (they all end with it). */
  private long sessionLines(String id, String text) {
    return log.events().stream().filter(l -> l.contains(text) && l.endsWith(", session: " + id)).count();
  }

  @Test
  void theBackendGetsTheClientsFieldsAndItsAddressInOneIdCommandBeforeTheLogin() throws Exception {
    fx.start("proxy_client_identity on; imap_id_fields name mailgate vendor \"Example Mail\";");
    int clientPort;
    try (LineClient c = new LineClient("127.0.0.7", fx.port())) {
      clientPort = c.localPort();
      assertThat(c.readLine()).isEqualTo(ImapProxyFixture.GREETING);
      c.send("a1 ID (\"name\" \"Thunderbird\" \"X-Originating-IP\" \"203.0.113.66\" \"version\" {5}");
      assertThat(c.readLine()).isEqualTo("+ OK");
      c.send("115.0 \"x-session-id\" \"forged\" \"os\" NIL)");
      assertThat(c.readLine()).isEqualTo("* ID (\"name\" \"mailgate\" \"vendor\" \"Example Mail\")");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 LOGIN test secret");
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
      c.send("a3 NOOP");
      assertThat(c.readLine()).as("nothing of the backend's ID reply reached the client")
          .isEqualTo("a3 OK NOOP completed");
    }
    String session = fx.auth.requests().get(0).header(AuthRequest.SESSION_ID_HEADER);
    assertThat(session).matches("[0-9a-f]{16}");
    assertThat(sessionLines(session, "client logged in")).as("the error log names the same session").isOne();
    assertThat(fx.backend.received()).containsExactly(
        "mgI ID (\"name\" \"Thunderbird\" \"version\" \"115.0\" \"os\" NIL"
            + " \"x-originating-ip\" \"127.0.0.7\" \"x-originating-port\" \"" + clientPort + "\""
            + " \"x-connected-ip\" \"127.0.0.1\" \"x-connected-port\" \"" + fx.port() + "\""
            + " \"x-session-id\" \"" + session + "\")",
        "a2 LOGIN {4}\r\ntest {6}\r\nsecret",
        "a3 NOOP");
    assertThat(sessionLines(session,
        "not forwarding the client's ID field \"X-Originating-IP\": only mailgate sets it")).isOne();
    assertThat(log.text()).doesNotContain("203.0.113.66").doesNotContain("secret");
  }

  @Test
  void withoutAClientIdTheBackendStillLearnsWhoTheClientIs() throws Exception {
    fx.close();
    fx = new ImapProxyFixture(dir, new FakeImapBackend("* OK [CAPABILITY IMAP4rev1 ID LITERAL+] ready"));
    fx.start("proxy_client_identity on;");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test secret");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
    }
    String session = fx.auth.requests().get(0).header(AuthRequest.SESSION_ID_HEADER);
    assertThat(fx.backend.received()).hasSize(3);
    assertThat(fx.backend.received().get(0)).startsWith("mgI ID (\"x-originating-ip\" \"127.0.0.1\" ")
        .endsWith(" \"x-session-id\" \"" + session + "\")");
    assertThat(fx.backend.received().get(1)).isEqualTo("a1 LOGIN {4+}\r\ntest {6+}\r\nsecret");
  }

  @Test
  void aBackendThatAnswersBadToIdStillLogsTheClientIn() throws Exception {
    fx.close();
    fx = new ImapProxyFixture(dir, new FakeImapBackend().refusingId());
    fx.start("proxy_client_identity on;");
    try (LineClient c = fx.connect()) {
      c.send("a1 ID (\"name\" \"curl\")");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 LOGIN test secret");
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
      c.send("a3 NOOP");
      assertThat(c.readLine()).isEqualTo("a3 OK NOOP completed");
    }
    String session = fx.auth.requests().get(0).header(AuthRequest.SESSION_ID_HEADER);
    assertThat(fx.backend.received().get(0)).startsWith("mgI ID (\"name\" \"curl\" \"x-originating-ip\" ");
    assertThat(fx.backend.received().subList(1, 3)).containsExactly("a2 LOGIN {4}\r\ntest {6}\r\nsecret", "a3 NOOP");
    assertThat(sessionLines(session, "upstream refused ID: \"mgI BAD Error in IMAP command ID: Unknown command.\""))
        .isOne();
  }

  @Test
  void aTokenLoginWithSaslIrGoesInTheIdsWrite() throws Exception {
    fx.close();
    fx = new ImapProxyFixture(dir, new FakeImapBackend(
        "* OK [CAPABILITY IMAP4rev1 ID SASL-IR LITERAL+ AUTH=PLAIN AUTH=XOAUTH2] fake ready").acceptToken("tok-123"));
    fx.start(TOKEN_MODE);
    String xoauth2 = ImapProxyFixture.b64("user=test@example.com\1auth=Bearer tok-123\1\1");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE XOAUTH2 " + xoauth2);
      assertThat(c.readLine()).isEqualTo("a1 OK AUTHENTICATE completed");
      c.send("a2 NOOP");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
    }
    assertThat(fx.backend.received()).hasSize(3);
    assertThat(fx.backend.received().get(0)).startsWith("mgI ID (\"x-originating-ip\" \"127.0.0.1\" ");
    assertThat(fx.backend.received().subList(1, 3)).containsExactly("a1 AUTHENTICATE XOAUTH2 " + xoauth2, "a2 NOOP");
  }

  @Test
  void aTokenLoginWithoutSaslIrSendsTheTokenAfterTheIdReplyAndTheContinuation() throws Exception {
    fx.close();
    fx = new ImapProxyFixture(dir, new FakeImapBackend("* OK fake ready").acceptToken("tok-123"));
    fx.start(TOKEN_MODE);
    String oauthbearer = ImapProxyFixture.b64("n,a=test@example.com,\1auth=Bearer tok-123\1\1");
    try (LineClient c = fx.connect()) {
      c.send("a1 AUTHENTICATE OAUTHBEARER " + oauthbearer);
      assertThat(c.readLine()).isEqualTo("a1 OK AUTHENTICATE completed");
    }
    assertThat(fx.backend.received().get(0)).startsWith("mgI ID (");
    assertThat(fx.backend.received().subList(1, 3)).containsExactly("a1 AUTHENTICATE OAUTHBEARER", oauthbearer);
  }

  @Test
  void withIdentityOffTheBackendGetsNoIdAndTheClientsIdIsAnsweredAsBefore() throws Exception {
    fx.start("imap_capabilities IMAP4rev1 ID;");
    try (LineClient c = fx.connect()) {
      c.send("a1 ID (\"name\" \"Thunderbird\")");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 LOGIN test secret");
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
    }
    assertThat(fx.backend.received()).containsExactly("a2 LOGIN {4}\r\ntest {6}\r\nsecret");
  }

  @Test
  void identityOnAnswersIdWithoutAdvertisingItAndRefusesMalformedLists() throws Exception {
    fx.start("proxy_client_identity on;");
    try (LineClient c = fx.connect()) {
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 ID NIL");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a2 OK completed");
      c.send("a3 ID (\"name\")");
      assertThat(c.readLine()).isEqualTo("a3 BAD invalid command");
      c.send("a4 ID (\"a\" (\"b\" \"c\"))");
      assertThat(c.readLine()).isEqualTo("a4 BAD invalid command");
      c.send("a5 ID (\"" + "f".repeat(31) + "\" \"v\")");
      assertThat(c.readLine()).isEqualTo("a5 BAD invalid command");
    }
    assertThat(log.text()).contains("client sent invalid ID: ID field without a value")
        .contains("client sent invalid ID: ID field name longer than 30 octets");
  }

  @Test
  void theLastIdBeforeLoginIsTheOneForwarded() throws Exception {
    fx.start("proxy_client_identity on;");
    try (LineClient c = fx.connect()) {
      c.send("a1 ID (\"name\" \"first\")");
      c.readLines(2);
      c.send("a2 ID (\"name\" \"second\")");
      c.readLines(2);
      c.send("a3 LOGIN test secret");
      assertThat(c.readLine()).isEqualTo("a3 OK LOGIN completed");
    }
    assertThat(fx.backend.received().get(0)).startsWith("mgI ID (\"name\" \"second\" \"x-originating-ip\" ");
  }
}
