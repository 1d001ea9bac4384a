package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limit_preauth_per_client}, {@code limit_preauth_per_listener} and {@code limit_sessions_per_client} over real
 * sockets: idle connections that never log in are capped apart from logged-in ones, refusals get the protocol's line,
 * and behind a trusted PROXY header the real client is the one counted.
 */
class ConnectionLimitsIT {

  private static final String GREETING = "* OK IMAP4 ready";
  private static final String BYE = "* BYE Too many connections";

  @TempDir Path dir;
  FakeImapBackend backend;
  FakeAuthServer auth;
  ProxyUnderTest proxy;
  final List<LineClient> open = new ArrayList<>();

  @BeforeEach
  void services() throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.port()));
  }

  @AfterEach
  void stop() throws Exception {
    for (LineClient c : open) {
      c.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    auth.close();
    backend.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  private void start(String mailDirectives, String listenSuffix, String serverDirectives) throws Exception {
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n" + mailDirectives
        + "\nserver { listen 127.0.0.1:%PORT%" + listenSuffix + "; protocol imap; " + serverDirectives + " }");
  }

  private LineClient connect(String source) throws IOException {
    LineClient c = new LineClient(source, proxy.port());
    open.add(c);
    return c;
  }

  private LineClient greeted(String source) throws IOException {
    LineClient c = connect(source);
    assertThat(c.readLine()).isEqualTo(GREETING);
    return c;
  }

  private void assertRefused(LineClient c, String reply) throws IOException {
    assertThat(c.readLine()).isEqualTo(reply);
    assertThat(c.closedWithin(2000)).isTrue();
  }

  @Test
  void idlePreauthConnectionsAreCappedWhileLoggedInUsersAndOtherClientsGetIn() throws Exception {
    start("limit_preauth_per_client 2; limit_sessions_per_client 1;", "", "");
    LineClient relaying = greeted("127.0.0.2");
    relaying.send("a1 LOGIN alice secret");
    assertThat(relaying.readLine()).isEqualTo("a1 OK LOGIN completed");

    LineClient idle1 = greeted("127.0.0.2");
    greeted("127.0.0.2");
    assertRefused(connect("127.0.0.2"), BYE);

    relaying.send("a2 NOOP");
    assertThat(relaying.readLine()).as("the logged-in session goes on").isEqualTo("a2 OK NOOP completed");
    LineClient other = greeted("127.0.0.3");
    other.send("b1 LOGIN bob secret");
    assertThat(other.readLine()).as("a login from another address works").isEqualTo("b1 OK LOGIN completed");

    int asked = auth.requests().size();
    idle1.send("c1 LOGIN alice secret");
    assertRefused(idle1, "c1 NO [UNAVAILABLE] Too many sessions");
    assertThat(auth.requests()).as("the auth service was asked; the backend was not").hasSize(asked + 1);

    // The refused login freed its pre-auth slot: 127.0.0.2 has room for one more idle connection again.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      LineClient again = connect("127.0.0.2");
      assertThat(again.readLine()).isEqualTo(GREETING);
    });
  }

  @Test
  void thePerListenerCapCountsEveryClientAndFreesSlotsOnClose() throws Exception {
    start("limit_preauth_per_listener 3;", "", "");
    LineClient first = greeted("127.0.0.2");
    greeted("127.0.0.3");
    greeted("127.0.0.4");
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      for (int i = 0; i < 3; i++) {
        assertRefused(connect("127.0.0.5"), BYE);
      }
      assertThat(log.events().stream().filter(e -> e.contains("limiting connections by preauth_per_listener")
          && e.contains("client: 127.0.0.5")).count()).as("one line for three refusals").isEqualTo(1);
    }
    first.close();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      LineClient again = connect("127.0.0.5");
      assertThat(again.readLine()).isEqualTo(GREETING);
    });
  }

  @Test
  void behindATrustedProxyTheRealClientIsCounted() throws Exception {
    start("limit_preauth_per_client 1;", " proxy_protocol", "set_real_ip_from 127.0.0.1;");
    LineClient a = connect("127.0.0.1");
    a.sendRaw("PROXY TCP4 192.0.2.1 192.0.2.100 40000 143\r\n");
    assertThat(a.readLine()).isEqualTo(GREETING);
    LineClient sameClient = connect("127.0.0.1");
    sameClient.sendRaw("PROXY TCP4 192.0.2.1 192.0.2.100 40001 143\r\n");
    assertRefused(sameClient, BYE);
    LineClient otherClient = connect("127.0.0.1");
    otherClient.sendRaw("PROXY TCP4 192.0.2.2 192.0.2.100 40002 143\r\n");
    assertThat(otherClient.readLine()).as("same balancer, another real client").isEqualTo(GREETING);
  }

  @Test
  void pop3AndSmtpRefuseWithTheirOwnLines() throws Exception {
    int pop3 = ProxyUnderTest.freePort();
    int smtp = ProxyUnderTest.freePort();
    start("limit_preauth_per_client 1;", "", "}\nserver { listen 127.0.0.1:" + pop3 + "; protocol pop3; }\n"
        + "server { listen 127.0.0.1:" + smtp + "; protocol smtp; smtp_auth plain;");
    LineClient p = new LineClient("127.0.0.2", pop3);
    open.add(p);
    assertThat(p.readLine()).startsWith("+OK");
    LineClient p2 = new LineClient("127.0.0.2", pop3);
    open.add(p2);
    assertRefused(p2, "-ERR [SYS/TEMP] Too many connections");
    LineClient s = new LineClient("127.0.0.3", smtp);
    open.add(s);
    assertThat(s.readLine()).startsWith("220 ");
    LineClient s2 = new LineClient("127.0.0.3", smtp);
    open.add(s2);
    assertRefused(s2, "421 4.7.0 Too many connections");
  }
}
