package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.UsersFileWriter;
import io.mailgate.testkit.UsersFileWriter.Scheme;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Password logins checked by mailgate against an {@code auth_users} file (bcrypt, SHA-512-crypt and Argon2id hashes
 * made by mailgate's own {@code PasswordHashes}), routed by a {@code proxy_backend_map} of two domains to two fake
 * backends per protocol; and a server that has both the users file and {@code auth_http}. One mailgate for the class.
 */
class BuiltinAuthUsersIT {

  /** A user of the file, the domain that routes it, and the hash scheme its line uses. */
  enum User {
    ALICE("alice@one.test", "Alice-pw-1", Scheme.BCRYPT),
    BOB("bob@two.test", "Bob-pw-2", Scheme.SHA512_CRYPT),
    CAROL("carol@one.test", "Carol-pw-3", Scheme.ARGON2ID);

    final String name;
    final String password;
    final Scheme scheme;

    User(String name, String password, Scheme scheme) {
      this.name = name;
      this.password = password;
      this.scheme = scheme;
    }

    boolean domainOne() {
      return name.endsWith("@one.test");
    }
  }

  private static final String FAILED = "Invalid login or password";

  @TempDir static Path dir;
  static UsersFileWriter users;
  static FakeImapBackend imapOne;
  static FakeImapBackend imapTwo;
  static FakePop3Backend pop3One;
  static FakePop3Backend pop3Two;
  static FakeSmtpBackend smtpOne;
  static FakeSmtpBackend smtpTwo;
  static FakeAuthServer authHttp;
  static ProxyUnderTest proxy;
  static int imapPort;
  static int pop3Port;
  static int smtpPort;
  static int mixedPort;

  @BeforeAll
  static void start() throws Exception {
    users = new UsersFileWriter(dir.resolve("users"));
    for (User u : User.values()) {
      users.user(u.name, u.password, u.scheme);
    }
    users.write();
    imapOne = new FakeImapBackend();
    imapTwo = new FakeImapBackend();
    pop3One = new FakePop3Backend(User.ALICE.name, User.ALICE.password);
    pop3Two = new FakePop3Backend(User.BOB.name, User.BOB.password);
    smtpOne = new FakeSmtpBackend();
    smtpTwo = new FakeSmtpBackend();
    authHttp = new FakeAuthServer(r -> FakeAuthServer.ok(imapOne.port(), "Auth-Pass: cram-backend-pw"));
    Path imapMap = map("imap.map", imapOne.port(), imapTwo.port());
    Path pop3Map = map("pop3.map", pop3One.port(), pop3Two.port());
    Path smtpMap = map("smtp.map", smtpOne.port(), smtpTwo.port());
    int[] ports = distinctFreePorts(4);
    imapPort = ports[0];
    pop3Port = ports[1];
    smtpPort = ports[2];
    mixedPort = ports[3];
    proxy = ProxyUnderTest.start(dir, String.join("\n",
        "auth_users " + users.file() + ";",
        "server { listen 127.0.0.1:" + imapPort + "; protocol imap; imap_auth plain; proxy_backend_map " + imapMap
            + "; }",
        "server { listen 127.0.0.1:" + pop3Port + "; protocol pop3; pop3_auth plain; proxy_backend_map " + pop3Map
            + "; }",
        "server { listen 127.0.0.1:" + smtpPort + "; protocol smtp; server_name mx.test; smtp_auth plain login;"
            + " xclient off; proxy_smtp_auth on; proxy_backend_map " + smtpMap + "; }",
        "server { listen 127.0.0.1:" + mixedPort + "; protocol imap; imap_auth plain cram-md5;"
            + " auth_http http://127.0.0.1:" + authHttp.port() + "/auth; proxy_backend_map " + imapMap + "; }"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {imapOne, imapTwo, pop3One, pop3Two, smtpOne, smtpTwo, authHttp}) {
      if (c != null) {
        c.close();
      }
    }
    LeakWatcher.assertNoLeaks();
  }

  @ParameterizedTest
  @EnumSource(User.class)
  void imapLoginSucceedsForEveryHashSchemeAndReachesTheDomainsBackend(User u) throws Exception {
    try (LineClient c = imap(imapPort)) {
      c.send("t1 LOGIN " + u.name + " " + u.password);
      assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
    }
    String expected = imapLogin("t1", u.name, u.password);
    assertThat((u.domainOne() ? imapOne : imapTwo).received()).contains(expected);
    assertThat((u.domainOne() ? imapTwo : imapOne).received()).doesNotContain(expected);
  }

  @Test
  void imapAuthenticatePlainGoesToTheUsersFileToo() throws Exception {
    try (LineClient c = imap(imapPort)) {
      c.send("t1 AUTHENTICATE PLAIN " + b64("\0" + User.CAROL.name + "\0" + User.CAROL.password));
      assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
    }
    assertThat(imapOne.received()).contains(imapLogin("t1", User.CAROL.name, User.CAROL.password));
  }

  @ParameterizedTest
  @EnumSource(value = User.class, names = {"ALICE", "BOB"})
  void pop3UserPassSucceedsAndReachesTheDomainsBackend(User u) throws Exception {
    try (LineClient c = pop3(pop3Port)) {
      c.send("USER " + u.name);
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS " + u.password);
      assertThat(c.readLine()).startsWith("+OK");
      // Only the domain's backend knows this user: a maildrop answer proves the session is relayed there.
      c.send("STAT");
      assertThat(c.readLine()).startsWith("+OK 1 ");
    }
    FakePop3Backend backend = u.domainOne() ? pop3One : pop3Two;
    assertThat(backend.received()).containsSubsequence("USER " + u.name, "PASS " + u.password, "STAT");
  }

  @ParameterizedTest
  @EnumSource(value = User.class, names = {"BOB", "CAROL"})
  void smtpAuthPlainSucceedsAndReachesTheDomainsBackend(User u) throws Exception {
    try (LineClient c = smtp(smtpPort)) {
      c.send("AUTH PLAIN " + b64("\0" + u.name + "\0" + u.password));
      assertThat(c.readLine()).isEqualTo("235 2.0.0 OK");
    }
    List<String> received = (u.domainOne() ? smtpOne : smtpTwo).received();
    assertThat(received).contains("AUTH PLAIN " + b64("\0" + u.name + "\0" + u.password));
    assertThat((u.domainOne() ? smtpTwo : smtpOne).received()).doesNotContain(
        "AUTH PLAIN " + b64("\0" + u.name + "\0" + u.password));
  }

  @Test
  void aWrongPasswordOrUnknownUserIsRefusedAfterASecondAndTheSessionGoesOn() throws Exception {
    int backendLines = imapOne.received().size() + imapTwo.received().size() + pop3One.received().size()
        + smtpOne.received().size() + smtpTwo.received().size();
    // Four sessions at once, so that the one-second waits overlap.
    try (LineClient wrongImap = imap(imapPort); LineClient unknownImap = imap(imapPort);
        LineClient wrongPop3 = pop3(pop3Port); LineClient unknownSmtp = smtp(smtpPort)) {
      wrongPop3.send("USER " + User.ALICE.name);
      assertThat(wrongPop3.readLine()).startsWith("+OK");
      long start = System.nanoTime();
      wrongImap.send("t1 LOGIN " + User.ALICE.name + " not-" + User.ALICE.password);
      unknownImap.send("t1 LOGIN nobody@one.test " + User.ALICE.password);
      wrongPop3.send("PASS wrong-" + User.ALICE.password);
      unknownSmtp.send("AUTH PLAIN " + b64("\0nobody@two.test\0" + User.BOB.password));
      assertThat(wrongImap.readLine()).isEqualTo("t1 NO " + FAILED);
      assertThat(unknownImap.readLine()).isEqualTo("t1 NO " + FAILED);
      assertThat(wrongPop3.readLine()).isEqualTo("-ERR " + FAILED);
      assertThat(unknownSmtp.readLine()).isEqualTo("535 5.7.0 " + FAILED);
      // Every reply waited for the Auth-Wait second; the first one to arrive bounds them all from below.
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(950L, 4000L);
      assertThat(backendLines).isEqualTo(imapOne.received().size() + imapTwo.received().size()
          + pop3One.received().size() + smtpOne.received().size() + smtpTwo.received().size());
      // The sessions are still open and take a good login.
      wrongImap.send("t2 NOOP");
      assertThat(wrongImap.readLine()).isEqualTo("t2 OK completed");
      wrongImap.send("t3 LOGIN " + User.ALICE.name + " " + User.ALICE.password);
      assertThat(wrongImap.readLine()).isEqualTo("t3 OK LOGIN completed");
      unknownImap.send("t2 LOGIN " + User.BOB.name + " " + User.BOB.password);
      assertThat(unknownImap.readLine()).isEqualTo("t2 OK LOGIN completed");
      wrongPop3.send("USER " + User.ALICE.name);
      assertThat(wrongPop3.readLine()).startsWith("+OK");
      wrongPop3.send("PASS " + User.ALICE.password);
      assertThat(wrongPop3.readLine()).startsWith("+OK");
      unknownSmtp.send("AUTH PLAIN " + b64("\0" + User.BOB.name + "\0" + User.BOB.password));
      assertThat(unknownSmtp.readLine()).isEqualTo("235 2.0.0 OK");
    }
  }

  @Test
  void aUserAddedToTheFileCanLogInWithinTwoSecondsWithoutARestart() throws Exception {
    String dave = "dave@two.test";
    String password = "Dave-pw-4";
    try (LineClient c = imap(imapPort)) {
      c.send("t1 LOGIN " + dave + " " + password);
      assertThat(c.readLine()).isEqualTo("t1 NO " + FAILED);
      users.user(dave, password, Scheme.BCRYPT).write();
      long written = System.nanoTime();
      String reply = null;
      for (int attempt = 2; attempt <= 4 && !"OK".equals(reply); attempt++) {
        c.send("t" + attempt + " LOGIN " + dave + " " + password);
        String line = c.readLine();
        assertThat(line).isIn("t" + attempt + " OK LOGIN completed", "t" + attempt + " NO " + FAILED);
        reply = line.split(" ")[1];
      }
      assertThat(reply).isEqualTo("OK");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written)).isLessThan(2_500);
    }
    assertThat(imapTwo.received()).anyMatch(l -> l.endsWith(dave + " {" + password.length() + "}\r\n" + password));
  }

  @Test
  void onAServerWithBothPlainGoesToTheUsersFileAndCramMd5ToAuthHttp() throws Exception {
    int requests = authHttp.requests().size();
    try (LineClient c = imap(mixedPort)) {
      c.send("t1 AUTHENTICATE PLAIN " + b64("\0" + User.BOB.name + "\0" + User.BOB.password));
      assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
    }
    assertThat(imapTwo.received()).contains(imapLogin("t1", User.BOB.name, User.BOB.password));
    try (LineClient c = imap(mixedPort)) {
      // A refusal by the users file is final: it does not fall through to auth_http.
      c.send("t1 LOGIN " + User.BOB.name + " wrong");
      assertThat(c.readLine()).isEqualTo("t1 NO " + FAILED);
    }
    assertThat(authHttp.requests()).hasSize(requests);
    String salt;
    String digest;
    try (LineClient c = imap(mixedPort)) {
      c.send("t1 AUTHENTICATE CRAM-MD5");
      String challenge = c.readLine();
      assertThat(challenge).startsWith("+ ");
      salt = new String(Base64.getDecoder().decode(challenge.substring(2)), StandardCharsets.UTF_8);
      digest = hmacMd5Hex(User.ALICE.password, salt);
      c.send(b64(User.ALICE.name + " " + digest));
      assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
    }
    assertThat(authHttp.requests()).hasSize(requests + 1);
    FakeAuthServer.Request request = authHttp.requests().get(requests);
    assertThat(request.header("Auth-Method")).isEqualTo("cram-md5");
    assertThat(request.header("Auth-User")).isEqualTo(User.ALICE.name);
    assertThat(request.header("Auth-Salt")).isEqualTo(salt);
    assertThat(imapOne.received()).contains(imapLogin("t1", User.ALICE.name, "cram-backend-pw"));
  }

  @Test
  void noPasswordOrHashReachesTheLog() throws Exception {
    List<String> secrets = new ArrayList<>(users.hashes());
    for (String hash : users.hashes()) {
      secrets.add(hash.substring(hash.lastIndexOf('$') + 1));
    }
    for (User u : User.values()) {
      secrets.add(u.password);
      secrets.add(b64("\0" + u.name + "\0" + u.password));
    }
    String wrong = "Wr0ng-pa55word";
    secrets.add(wrong);
    secrets.add(b64("\0" + User.BOB.name + "\0" + wrong));
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      try (LineClient c = imap(imapPort)) {
        c.send("t1 LOGIN " + User.CAROL.name + " " + User.CAROL.password);
        assertThat(c.readLine()).isEqualTo("t1 OK LOGIN completed");
      }
      try (LineClient c = pop3(pop3Port)) {
        c.send("USER " + User.BOB.name);
        assertThat(c.readLine()).startsWith("+OK");
        c.send("PASS " + User.BOB.password);
        assertThat(c.readLine()).startsWith("+OK");
      }
      try (LineClient c = smtp(smtpPort); LineClient d = imap(imapPort)) {
        c.send("AUTH PLAIN " + b64("\0" + User.BOB.name + "\0" + wrong));
        d.send("t1 LOGIN " + User.ALICE.name + " " + wrong);
        assertThat(c.readLine()).isEqualTo("535 5.7.0 " + FAILED);
        assertThat(d.readLine()).isEqualTo("t1 NO " + FAILED);
        c.send("AUTH PLAIN " + b64("\0" + User.ALICE.name + "\0" + User.ALICE.password));
        assertThat(c.readLine()).isEqualTo("235 2.0.0 OK");
      }
      assertThat(log.text()).contains("client logged in", "client login failed");
      for (String secret : secrets) {
        assertThat(log.text()).doesNotContain(secret);
      }
    }
  }

  // --- helpers ---

  private static Path map(String name, int domainOne, int domainTwo) throws IOException {
    return Files.writeString(dir.resolve(name), "# domain routing\n@one.test 127.0.0.1:" + domainOne
        + "\n@two.test 127.0.0.1:" + domainTwo + "\n");
  }

  private static String imapLogin(String tag, String user, String password) {
    return tag + " LOGIN {" + user.length() + "}\r\n" + user + " {" + password.length() + "}\r\n" + password;
  }

  private static LineClient imap(int port) throws IOException {
    return greeted(port, "* OK IMAP4 ready");
  }

  private static LineClient pop3(int port) throws IOException {
    return greeted(port, "+OK POP3 ready");
  }

  private static LineClient smtp(int port) throws IOException {
    LineClient c = greeted(port, "220 mx.test ESMTP ready");
    c.send("EHLO client.example");
    String line;
    do {
      line = c.readLine();
    } while (line != null && line.startsWith("250-"));
    assertThat(line).startsWith("250 ");
    return c;
  }

  private static LineClient greeted(int port, String greeting) throws IOException {
    LineClient c = new LineClient(port);
    String line = c.readLine();
    if (line == null || !line.startsWith(greeting)) {
      c.close();
      throw new AssertionError("expected greeting <" + greeting + "> but got <" + line + ">");
    }
    return c;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String hmacMd5Hex(String key, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacMD5");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Ports that were free a moment ago, all different (each socket is held until all are chosen). */
  private static int[] distinctFreePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
