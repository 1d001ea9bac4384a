package io.mailgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoMailStoreTest {

  static final String USER = "demo@mailgate.io";
  static final String PASSWORD = "secret-password";
  static final byte[] MESSAGE_1 = DemoMessages.welcome();
  /** 8-bit octets (UTF-8 and a lone 0xFF) and a bare LF in the body: served as they are. */
  static final byte[] MESSAGE_2 = concat("Subject: second\r\nX-Bytes: caf\u00e9 ".getBytes(StandardCharsets.UTF_8),
      new byte[] {(byte) 0xFF}, "\r\n\r\nBody line\nlast\r\n".getBytes(StandardCharsets.US_ASCII));

  private static EventLoopGroup group;
  private static DemoMailStore store;
  private static DemoMailStore bearerStore;

  @BeforeAll
  static void start() throws IOException {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Map<String, String> users = Map.of(USER, PASSWORD, "bob", "p\"w\\d");
    store = DemoMailStore.start(group, NioServerSocketChannel.class, new InetSocketAddress("127.0.0.1", 0), users,
        List.of(MESSAGE_1, MESSAGE_2));
    bearerStore = DemoMailStore.start(group, NioServerSocketChannel.class, new InetSocketAddress("127.0.0.1", 0),
        users, List.of(MESSAGE_1), Optional.of("good-token"::equals));
  }

  @AfterAll
  static void stop() {
    store.close();
    bearerStore.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void theGreetingAnnouncesTheCapabilities() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      assertThat(client.readLine())
          .isEqualTo("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] mailgate demo store ready");
      assertThat(client.command("c1", "CAPABILITY"))
          .containsExactly("* CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN", "c1 OK CAPABILITY completed");
      assertThat(client.command("c2", "noop")).containsExactly("c2 OK NOOP completed");
    }
  }

  @Test
  void loginWithSynchronizingLiteralsAsMailgateSendsThemSucceeds() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      client.send("a1 LOGIN {16}\r\n");
      assertThat(client.readLine()).startsWith("+");
      client.send(USER + " {15}\r\n");
      assertThat(client.readLine()).startsWith("+");
      client.send(PASSWORD + "\r\n");
      assertThat(client.readLine()).isEqualTo("a1 OK LOGIN completed");
      assertThat(client.command("a2", "SELECT INBOX")).last().isEqualTo("a2 OK [READ-WRITE] SELECT completed");
    }
  }

  @Test
  void loginWithNonSynchronizingLiteralsInOneWriteSucceedsWithoutContinuations() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      client.send("a1 LOGIN {16+}\r\n" + USER + " {15+}\r\n" + PASSWORD + "\r\n");
      assertThat(client.readLine()).isEqualTo("a1 OK LOGIN completed");
    }
  }

  @Test
  void loginWithAtomsAndQuotedStringsSucceeds() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      assertThat(client.command("a1", "LOGIN bob \"p\\\"w\\\\d\"")).containsExactly("a1 OK LOGIN completed");
    }
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      assertThat(client.command("a1", "login \"" + USER + "\" " + PASSWORD)).containsExactly("a1 OK LOGIN completed");
    }
  }

  @Test
  void aWrongPasswordOrAnUnknownUserIsRefused() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      assertThat(client.command("a1", "LOGIN " + USER + " wrong"))
          .containsExactly("a1 NO [AUTHENTICATIONFAILED] Authentication failed");
      assertThat(client.command("a2", "LOGIN nobody " + PASSWORD))
          .containsExactly("a2 NO [AUTHENTICATIONFAILED] Authentication failed");
      assertThat(client.command("a3", "LIST \"\" *")).containsExactly("a3 BAD command unknown or not valid now");
    }
  }

  @Test
  void aSecondLoginIsBad() throws IOException {
    try (ImapTestClient client = loggedIn(store)) {
      assertThat(client.command("a2", "LOGIN bob x")).containsExactly("a2 BAD command unknown or not valid now");
    }
  }

  @Test
  void authenticatePlainWorksWithAndWithoutAnInitialResponse() throws IOException {
    String response = base64("\0" + USER + "\0" + PASSWORD);
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      client.send("a1 AUTHENTICATE PLAIN\r\n");
      assertThat(client.readLine()).isEqualTo("+ ");
      assertThat(client.sendLineAndRead(response)).isEqualTo("a1 OK AUTHENTICATE completed");
    }
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      assertThat(client.command("a1", "AUTHENTICATE plain " + response))
          .containsExactly("a1 OK AUTHENTICATE completed");
    }
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      String withAuthzid = base64(USER + "\0" + USER + "\0" + PASSWORD);
      assertThat(client.command("a1", "AUTHENTICATE PLAIN " + withAuthzid))
          .containsExactly("a1 OK AUTHENTICATE completed");
    }
  }

  @Test
  void authenticatePlainRefusesWrongCredentialsAnotherAuthzidAndCancellation() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      assertThat(client.command("a1", "AUTHENTICATE PLAIN " + base64("\0" + USER + "\0wrong")))
          .containsExactly("a1 NO [AUTHENTICATIONFAILED] Authentication failed");
      assertThat(client.command("a2", "AUTHENTICATE PLAIN " + base64("bob\0" + USER + "\0" + PASSWORD)))
          .containsExactly("a2 NO [AUTHENTICATIONFAILED] Authentication failed");
      client.send("a3 AUTHENTICATE PLAIN\r\n");
      assertThat(client.readLine()).isEqualTo("+ ");
      assertThat(client.sendLineAndRead("*")).isEqualTo("a3 BAD AUTHENTICATE cancelled");
      assertThat(client.command("a4", "AUTHENTICATE PLAIN not-base64!"))
          .containsExactly("a4 BAD invalid base64");
      assertThat(client.command("a5", "AUTHENTICATE CRAM-MD5"))
          .containsExactly("a5 NO [CANNOT] unsupported authentication mechanism");
    }
  }

  @Test
  void bearerMechanismsAreOnlyOfferedWithATokenCheck() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      assertThat(client.command("a1", "AUTHENTICATE OAUTHBEARER " + oauthBearer(USER, "good-token")))
          .containsExactly("a1 NO [CANNOT] unsupported authentication mechanism");
    }
    try (ImapTestClient client = new ImapTestClient(bearerStore.port())) {
      assertThat(client.readLine()).isEqualTo(
          "* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN AUTH=OAUTHBEARER AUTH=XOAUTH2] mailgate demo store ready");
    }
  }

  @Test
  void oauthBearerAndXoauth2LogInWhenTheTokenCheckAccepts() throws IOException {
    try (ImapTestClient client = new ImapTestClient(bearerStore.port())) {
      client.readLine();
      assertThat(client.command("a1", "AUTHENTICATE OAUTHBEARER " + oauthBearer(USER, "good-token")))
          .containsExactly("a1 OK AUTHENTICATE completed");
      assertThat(client.command("a2", "SELECT INBOX")).contains("* 1 EXISTS");
    }
    try (ImapTestClient client = new ImapTestClient(bearerStore.port())) {
      client.readLine();
      client.send("a1 AUTHENTICATE XOAUTH2\r\n");
      assertThat(client.readLine()).isEqualTo("+ ");
      String xoauth2 = base64("user=" + USER + "\u0001auth=Bearer good-token\u0001\u0001");
      assertThat(client.sendLineAndRead(xoauth2)).isEqualTo("a1 OK AUTHENTICATE completed");
    }
  }

  @Test
  void aRefusedTokenGetsAnErrorChallengeThenNo() throws IOException {
    try (ImapTestClient client = new ImapTestClient(bearerStore.port())) {
      client.readLine();
      client.send("a1 AUTHENTICATE OAUTHBEARER " + oauthBearer(USER, "bad-token") + "\r\n");
      String challenge = client.readLine();
      assertThat(challenge).startsWith("+ ");
      assertThat(new String(Base64.getDecoder().decode(challenge.substring(2)), StandardCharsets.UTF_8))
          .contains("invalid_token");
      assertThat(client.sendLineAndRead(base64("\u0001")))
          .isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed");
      // A password user is still refused a token it did not get from the check, and PLAIN still works.
      assertThat(client.command("a2", "AUTHENTICATE PLAIN " + base64("\0" + USER + "\0" + PASSWORD)))
          .containsExactly("a2 OK AUTHENTICATE completed");
    }
  }

  @Test
  void commandsThatNeedALoginAreBadBeforeIt() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      for (String command : List.of("SELECT INBOX", "LSUB \"\" *", "FETCH 1 BODY[]", "UID FETCH 1 BODY[]")) {
        assertThat(client.command("b", command)).containsExactly("b BAD command unknown or not valid now");
      }
    }
  }

  @Test
  void listAndLsubShowOnlyTheInbox() throws IOException {
    try (ImapTestClient client = loggedIn(store)) {
      assertThat(client.command("l1", "LIST \"\" *"))
          .containsExactly("* LIST (\\HasNoChildren) \"/\" INBOX", "l1 OK LIST completed");
      assertThat(client.command("l2", "LIST \"\" inbox%"))
          .containsExactly("* LIST (\\HasNoChildren) \"/\" INBOX", "l2 OK LIST completed");
      assertThat(client.command("l3", "LIST \"\" \"\""))
          .containsExactly("* LIST (\\Noselect) \"/\" \"\"", "l3 OK LIST completed");
      assertThat(client.command("l4", "LIST \"\" Sent*")).containsExactly("l4 OK LIST completed");
      assertThat(client.command("l5", "LSUB \"\" \"*\""))
          .containsExactly("* LSUB () \"/\" INBOX", "l5 OK LSUB completed");
      assertThat(client.command("l6", "LIST \"\" " + "*".repeat(5000))).hasSize(2);
    }
  }

  @Test
  void selectDescribesTheInbox() throws IOException {
    try (ImapTestClient client = loggedIn(store)) {
      List<String> reply = client.command("s1", "SELECT inbox");
      assertThat(reply).hasSize(7);
      assertThat(reply.subList(0, 4)).containsExactly("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
          "* 2 EXISTS", "* 0 RECENT", "* OK [PERMANENTFLAGS ()] Flags are not kept");
      assertThat(reply.get(4)).matches("\\* OK \\[UIDVALIDITY [1-9][0-9]*\\] UIDs valid");
      assertThat(reply.subList(5, 7))
          .containsExactly("* OK [UIDNEXT 3] Predicted next UID", "s1 OK [READ-WRITE] SELECT completed");
      assertThat(client.command("s2", "SELECT Trash"))
          .containsExactly("s2 NO [NONEXISTENT] Mailbox does not exist");
      // A failed SELECT leaves no mailbox selected (RFC 3501 §6.3.1).
      assertThat(client.command("s3", "FETCH 1 UID")).containsExactly("s3 BAD command unknown or not valid now");
    }
  }

  @Test
  void uidFetchBodyReturnsTheMessageByteForByteAndMarksItSeen() throws IOException {
    try (ImapTestClient client = selected(store, "SELECT")) {
      client.send("f1 UID FETCH 2 BODY[]\r\n");
      assertThat(client.readLine()).isEqualTo("* 2 FETCH (UID 2 FLAGS (\\Seen) BODY[] {" + MESSAGE_2.length + "}");
      assertThat(client.readExactly(MESSAGE_2.length)).isEqualTo(MESSAGE_2);
      assertThat(client.readLine()).isEqualTo(")");
      assertThat(client.readLine()).isEqualTo("f1 OK UID FETCH completed");
      assertThat(client.command("f2", "FETCH 1:* (FLAGS UID RFC822.SIZE)")).containsExactly(
          "* 1 FETCH (FLAGS () UID 1 RFC822.SIZE " + MESSAGE_1.length + ")",
          "* 2 FETCH (FLAGS (\\Seen) UID 2 RFC822.SIZE " + MESSAGE_2.length + ")",
          "f2 OK FETCH completed");
    }
  }

  @Test
  void fetchServesRfc822SectionsAndPartialRanges() throws IOException {
    try (ImapTestClient client = selected(store, "EXAMINE")) {
      int headerLength = "Subject: second\r\nX-Bytes: caf\u00e9 ".getBytes(StandardCharsets.UTF_8).length + 5;
      byte[] header = java.util.Arrays.copyOfRange(MESSAGE_2, 0, headerLength);
      byte[] text = java.util.Arrays.copyOfRange(MESSAGE_2, headerLength, MESSAGE_2.length);
      client.send("f1 FETCH 2 (BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[]<9.6> BODY[]<5000.10> RFC822)\r\n");
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      response.write(client.readExactly(rawLength(header, text)));
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.write(ascii("* 2 FETCH (BODY[HEADER] {" + header.length + "}\r\n"));
      expected.write(header);
      expected.write(ascii(" BODY[TEXT] {" + text.length + "}\r\n"));
      expected.write(text);
      expected.write(ascii(" BODY[]<9> {6}\r\nsecond BODY[]<5000> {0}\r\n RFC822 {" + MESSAGE_2.length + "}\r\n"));
      expected.write(MESSAGE_2);
      expected.write(ascii(")\r\nf1 OK FETCH completed\r\n"));
      assertThat(response.toByteArray()).isEqualTo(expected.toByteArray());
      // EXAMINE is read-only: fetching the body set no flag.
      assertThat(client.command("f2", "FETCH 2 FLAGS"))
          .containsExactly("* 2 FETCH (FLAGS ())", "f2 OK FETCH completed");
      assertThat(client.command("f3", "FETCH 1 (RFC822.HEADER RFC822.TEXT)").get(0))
          .isEqualTo("* 1 FETCH (RFC822.HEADER {" + (MESSAGE_1.length - welcomeTextLength()) + "}");
    }
  }

  @Test
  void fetchOfAMissingMessageIsBadWhileUidFetchSkipsMissingUids() throws IOException {
    try (ImapTestClient client = selected(store, "SELECT")) {
      assertThat(client.command("f1", "FETCH 3 UID")).containsExactly("f1 BAD invalid message sequence number");
      assertThat(client.command("f2", "UID FETCH 5:9 UID")).containsExactly("f2 OK UID FETCH completed");
      assertThat(client.command("f3", "UID FETCH 2:* UID")).containsExactly("* 2 FETCH (UID 2)",
          "f3 OK UID FETCH completed");
      assertThat(client.command("f4", "FETCH 1 ENVELOPE"))
          .containsExactly("f4 BAD fetch item not supported by the demo store");
      assertThat(client.command("f5", "FETCH 1 (UID")).containsExactly("f5 BAD unbalanced parentheses");
    }
  }

  @Test
  void searchAllFindsEveryMessage() throws IOException {
    try (ImapTestClient client = selected(store, "SELECT")) {
      assertThat(client.command("q1", "SEARCH ALL")).containsExactly("* SEARCH 1 2", "q1 OK SEARCH completed");
      assertThat(client.command("q2", "UID SEARCH all")).containsExactly("* SEARCH 1 2", "q2 OK UID SEARCH completed");
      assertThat(client.command("q3", "SEARCH UNSEEN")).containsExactly("q3 BAD the demo store only searches ALL");
    }
  }

  @Test
  void expungeRemovesNothingAndCloseLeavesTheMailbox() throws IOException {
    try (ImapTestClient client = selected(store, "SELECT")) {
      assertThat(client.command("e1", "EXPUNGE")).containsExactly("e1 OK EXPUNGE completed");
      assertThat(client.command("e2", "SEARCH ALL")).containsExactly("* SEARCH 1 2", "e2 OK SEARCH completed");
      assertThat(client.command("e3", "CLOSE")).containsExactly("e3 OK CLOSE completed");
      assertThat(client.command("e4", "FETCH 1 UID")).containsExactly("e4 BAD command unknown or not valid now");
    }
  }

  @Test
  void otherCommandsAreBad() throws IOException {
    try (ImapTestClient client = selected(store, "SELECT")) {
      assertThat(client.command("x1", "STORE 1 +FLAGS (\\Deleted)"))
          .containsExactly("x1 BAD command unknown or not valid now");
      assertThat(client.command("x2", "UID STORE 1 +FLAGS (\\Deleted)"))
          .containsExactly("x2 BAD command unknown or not valid now");
      assertThat(client.command("x3", "CAPABILITY extra")).containsExactly("x3 BAD too many arguments");
      client.send("x4+ NOOP\r\n");
      assertThat(client.readLine()).isEqualTo("* BAD invalid tag");
    }
  }

  @Test
  void logoutSaysByeAndCloses() throws IOException {
    try (ImapTestClient client = loggedIn(store)) {
      // A command pipelined after LOGOUT is not answered.
      client.send("z LOGOUT\r\ny NOOP\r\n");
      assertThat(client.readUntilTagged("z"))
          .containsExactly("* BYE mailgate demo store logging out", "z OK LOGOUT completed");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aLineOver8KbEndsTheSession() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      client.send("a NOOP " + "x".repeat(9000));
      assertThat(client.readLine()).isEqualTo("* BYE line too long");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aLineJustUnder8KbIsServed() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      String line = "a LOGIN bob " + "x".repeat(8192 - 14);
      assertThat(client.command("a", line.substring(2))).containsExactly(
          "a NO [AUTHENTICATIONFAILED] Authentication failed");
    }
  }

  @Test
  void aTooLargeSynchronizingLiteralIsRefusedAndTheSessionGoesOn() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      assertThat(client.command("a1", "LOGIN {65537}")).containsExactly("a1 BAD literal too large");
      assertThat(client.command("a2", "NOOP")).containsExactly("a2 OK NOOP completed");
    }
  }

  @Test
  void aTooLargeNonSynchronizingLiteralEndsTheSession() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      client.send("a1 LOGIN {65537+}\r\n");
      assertThat(client.readLine()).isEqualTo("* BYE literal too large");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void tooManyInvalidCommandsEndTheSession() throws IOException {
    try (ImapTestClient client = new ImapTestClient(store.port())) {
      client.readLine();
      client.send("GET / HTTP/1.1\r\n".repeat(DemoImapSession.MAX_ERRORS));
      for (int i = 0; i < DemoImapSession.MAX_ERRORS; i++) {
        assertThat(client.readLine()).startsWith("GET BAD");
      }
      assertThat(client.readLine()).isEqualTo("* BYE Too many invalid commands");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void anIdleConnectionIsClosed() throws IOException {
    DemoStoreSettings settings = DemoMailStore.settings(Map.of(), List.of(), Optional.empty(), Duration.ofMillis(300));
    DemoMailStore idle = DemoMailStore.start(group, NioServerSocketChannel.class,
        new InetSocketAddress("127.0.0.1", 0), settings);
    try (ImapTestClient client = new ImapTestClient(idle.port())) {
      client.readLine();
      assertThat(client.readLine()).isEqualTo("* BYE Autologout; idle for too long");
      assertThat(client.closedByServer()).isTrue();
    } finally {
      idle.close();
    }
  }

  @Test
  void closeStopsListeningAndEndsOpenConnections() throws IOException {
    DemoMailStore other = DemoMailStore.start(group, NioServerSocketChannel.class,
        new InetSocketAddress("127.0.0.1", 0), Map.of(), List.of());
    int port = other.port();
    try (ImapTestClient client = new ImapTestClient(port)) {
      client.readLine();
      other.close();
      assertThat(client.closedByServer()).isTrue();
    }
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
  }

  @Test
  void startingOnABusyPortThrowsIoException() {
    InetSocketAddress busy = new InetSocketAddress("127.0.0.1", store.port());
    assertThatThrownBy(() -> DemoMailStore.start(group, NioServerSocketChannel.class, busy, Map.of(), List.of()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void anEmptyInboxHasNothingToFetch() throws IOException {
    DemoMailStore empty = DemoMailStore.start(group, NioServerSocketChannel.class,
        new InetSocketAddress("127.0.0.1", 0), Map.of("u", "p"), List.of());
    try (ImapTestClient client = new ImapTestClient(empty.port())) {
      client.readLine();
      client.command("a", "LOGIN u p");
      assertThat(client.command("b", "SELECT INBOX")).contains("* 0 EXISTS", "* OK [UIDNEXT 1] Predicted next UID");
      assertThat(client.command("c", "FETCH 1:* UID")).containsExactly("c BAD invalid message sequence number");
      assertThat(client.command("d", "UID FETCH 1:* UID")).containsExactly("d OK UID FETCH completed");
      assertThat(client.command("e", "SEARCH ALL")).containsExactly("* SEARCH", "e OK SEARCH completed");
    } finally {
      empty.close();
    }
  }

  static ImapTestClient loggedIn(DemoMailStore target) throws IOException {
    ImapTestClient client = new ImapTestClient(target.port());
    client.readLine();
    assertThat(client.command("a0", "LOGIN " + USER + " " + PASSWORD)).containsExactly("a0 OK LOGIN completed");
    return client;
  }

  private static ImapTestClient selected(DemoMailStore target, String command) throws IOException {
    ImapTestClient client = loggedIn(target);
    assertThat(client.command("s0", command + " INBOX")).last().asString().startsWith("s0 OK");
    return client;
  }

  private static int rawLength(byte[] header, byte[] text) {
    return ascii("* 2 FETCH (BODY[HEADER] {" + header.length + "}\r\n").length + header.length
        + ascii(" BODY[TEXT] {" + text.length + "}\r\n").length + text.length
        + ascii(" BODY[]<9> {6}\r\nsecond BODY[]<5000> {0}\r\n RFC822 {" + MESSAGE_2.length + "}\r\n").length
        + MESSAGE_2.length + ascii(")\r\nf1 OK FETCH completed\r\n").length;
  }

  private static int welcomeTextLength() {
    String text = new String(MESSAGE_1, StandardCharsets.US_ASCII);
    return MESSAGE_1.length - (text.indexOf("\r\n\r\n") + 4);
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String oauthBearer(String user, String token) {
    return base64("n,a=" + user + ",\u0001host=localhost\u0001port=143\u0001auth=Bearer " + token + "\u0001\u0001");
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
