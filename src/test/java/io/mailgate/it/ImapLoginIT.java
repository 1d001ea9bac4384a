package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IMAP logins end to end over loopback: client -> mailgate -> auth service -> backend -> relay. */
class ImapLoginIT {

  @TempDir Path dir;
  FakeImapBackend backend;
  FakeAuthServer auth;
  ProxyUnderTest proxy;

  @BeforeEach
  void start() throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(request -> "secret".equals(request.header("Auth-Pass"))
        ? FakeAuthServer.ok(backend.port())
        : FakeAuthServer.fail("auth failed", "Auth-Wait: 1"));
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol imap; imap_auth plain login cram-md5; }");
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    auth.close();
    backend.close();
    LeakWatcher.assertNoLeaks();
  }

  @Test
  void logsInWithLoginAndRelaysTheSession() throws Exception {
    try (LineClient c = new LineClient(proxy.port())) {
      assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
      c.send("a1 CAPABILITY");
      assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5");
      assertThat(c.readLine()).isEqualTo("a1 OK completed");
      c.send("a2 LOGIN test@example.com secret");
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
      c.send("a3 SELECT INBOX");
      assertThat(c.readLine()).isEqualTo("a3 OK SELECT completed");
    }
    FakeAuthServer.Request request = auth.requests().get(0);
    assertThat(request.header("Auth-Method")).isEqualTo("plain");
    assertThat(request.header("Auth-User")).isEqualTo("test@example.com");
    assertThat(request.header("Auth-Protocol")).isEqualTo("imap");
    assertThat(request.header("Auth-Login-Attempt")).isEqualTo("1");
    assertThat(request.header("Client-IP")).isEqualTo("127.0.0.1");
    assertThat(backend.received().get(0)).isEqualTo("a2 LOGIN {16}\r\ntest@example.com {6}\r\nsecret");
  }

  @Test
  void badPasswordGetsNoAfterAuthWaitAndTheSessionGoesOn() throws Exception {
    try (LineClient c = new LineClient(proxy.port())) {
      c.readLine();
      long start = System.nanoTime();
      c.send("a1 LOGIN test@example.com bad");
      assertThat(c.readLine()).isEqualTo("a1 NO auth failed");
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(900);
      c.send("");
      assertThat(c.readLine()).isEqualTo("* BAD invalid command");
      c.send("a2 AUTHENTICATE PLAIN " + b64("\0test@example.com\0secret"));
      assertThat(c.readLine()).isEqualTo("a2 OK LOGIN completed");
    }
    assertThat(auth.requests()).hasSize(2);
    assertThat(auth.requests().get(1).header("Auth-Login-Attempt")).isEqualTo("2");
  }

  @Test
  void pipelinedCommandsAfterLoginReachTheBackendInOrder() throws Exception {
    try (LineClient c = new LineClient(proxy.port())) {
      c.readLine();
      c.sendRaw("a1 LOGIN test@example.com secret\r\na2 NOOP\r\na3 LOGOUT\r\n");
      assertThat(c.readLine()).isEqualTo("a1 OK LOGIN completed");
      assertThat(c.readLine()).isEqualTo("a2 OK NOOP completed");
      assertThat(c.readLine()).isEqualTo("* BYE fake logging out");
      assertThat(c.readLine()).isEqualTo("a3 OK LOGOUT completed");
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
