package io.mailgate.smtp;

import static io.mailgate.resolver.FakeDnsServer.address;
import static io.mailgate.resolver.FakeDnsServer.ptr;
import static io.mailgate.testkit.SmtpProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.resolver.FakeDnsServer;
import io.mailgate.resolver.FakeDnsServer.Answer;
import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.SmtpProxyFixture;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resolver} over real sockets: the client's host name found before the greeting reaches the auth service as
 * {@code Client-Host} and the backend as XCLIENT {@code NAME=}; input sent before the greeting waits for it.
 */
class SmtpResolverIT {

  private static final String LOCAL_PTR = "1.0.0.127.in-addr.arpa";

  @TempDir Path dir;
  private SmtpProxyFixture fx;
  private FakeDnsServer dns;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    if (dns != null) {
      dns.close();
    }
    LeakWatcher.assertNoLeaks();
  }

  private static Answer zone(String name, DnsRecordType type) {
    if (name.equals(LOCAL_PTR)) {
      return Answer.records(() -> List.of(ptr(LOCAL_PTR + ".", "client.example.net.", 3600)));
    }
    if (name.equals("client.example.net") && type.equals(DnsRecordType.A)) {
      return Answer.records(() -> List.of(address("client.example.net.", "127.0.0.1", 3600)));
    }
    return Answer.code(DnsResponseCode.NXDOMAIN);
  }

  private void start(FakeDnsServer server, String directives) throws Exception {
    dns = server;
    // A backend that lists only these: the command has nginx's three attributes, NAME the one under test.
    fx = new SmtpProxyFixture(dir, new FakeSmtpBackend().announceXclient("NAME ADDR LOGIN"))
        .start("resolver 127.0.0.1:" + server.address().getPort() + "; " + directives);
  }

  private void plainLogin() throws Exception {
    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      assertThat(c.command("AUTH PLAIN " + b64("\0user@example.com\0secret"))).isEqualTo("235 2.0.0 OK");
    }
  }

  @Test
  void aConfirmedNameIsTheClientHostAndTheXclientName() throws Exception {
    start(new FakeDnsServer(SmtpResolverIT::zone), "");

    plainLogin();

    assertThat(fx.auth.requests()).hasSize(1);
    assertThat(fx.auth.requests().get(0).header("Client-Host")).isEqualTo("client.example.net");
    assertThat(fx.backend.received()).contains(
        "XCLIENT ADDR=127.0.0.1 LOGIN=user@example.com NAME=client.example.net");
    assertThat(dns.questions()).containsExactly("PTR " + LOCAL_PTR, "A client.example.net");
  }

  @Test
  void theNextClientIsAnsweredFromTheCache() throws Exception {
    start(new FakeDnsServer(SmtpResolverIT::zone), "");

    plainLogin();
    plainLogin();

    assertThat(fx.auth.requests()).extracting(r -> r.header("Client-Host"))
        .containsExactly("client.example.net", "client.example.net");
    assertThat(dns.questions()).hasSize(2);
  }

  @Test
  void aServfailIsTempunavailAndLoggedAsNginxDoes() throws Exception {
    start(new FakeDnsServer((name, type) -> Answer.code(DnsResponseCode.SERVFAIL)), "");
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      plainLogin();

      assertThat(fx.auth.requests().get(0).header("Client-Host")).isEqualTo("[TEMPUNAVAIL]");
      assertThat(fx.backend.received()).contains("XCLIENT ADDR=127.0.0.1 LOGIN=user@example.com NAME=[TEMPUNAVAIL]");
      assertThat(log.text()).contains("127.0.0.1 could not be resolved (2: Server failure)"
          + " while in resolving client address, client: 127.0.0.1");
    }
  }

  @Test
  void aNameThatDoesNotLeadBackIsUnavailableForMxClientsToo() throws Exception {
    start(new FakeDnsServer((name, type) -> type.equals(DnsRecordType.A)
        ? Answer.records(() -> List.of(address("client.example.net.", "192.0.2.1", 60)))
        : zone(name, type)), "smtp_auth none;");

    try (SmtpClient c = fx.connect()) {
      c.command("EHLO client.example");
      c.command("MAIL FROM:<a@example.com>");
      assertThat(c.command("RCPT TO:<b@example.com>")).startsWith("250");
    }

    assertThat(fx.auth.requests().get(0).header("Client-Host")).isEqualTo("[UNAVAILABLE]");
  }

  @Test
  void commandsSentBeforeTheGreetingAreAnsweredAfterIt() throws Exception {
    start(new FakeDnsServer((name, type) -> Answer.silence()), "resolver_timeout 500ms;");

    try (SmtpClient c = new SmtpClient("127.0.0.1", fx.port())) {
      c.sendRaw("EHLO early.example\r\nNOOP\r\n");

      assertThat(c.readLine()).isEqualTo(SmtpProxyFixture.GREETING);
      assertThat(c.readReply()).first().isEqualTo("250-mx.test");
      assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
      assertThat(c.command("AUTH PLAIN " + b64("\0user@example.com\0secret"))).isEqualTo("235 2.0.0 OK");
    }
    assertThat(fx.auth.requests().get(0).header("Client-Host")).isEqualTo("[TEMPUNAVAIL]");
  }

  @Test
  void withAGreetingDelayInputDuringTheLookupIsImproperPipelining() throws Exception {
    start(new FakeDnsServer((name, type) -> Answer.silence()), "resolver_timeout 300ms; smtp_greeting_delay 300ms;");

    try (SmtpClient c = new SmtpClient("127.0.0.1", fx.port())) {
      c.send("EHLO early.example");

      assertThat(c.readLine()).isEqualTo("503 5.5.0 Improper use of SMTP command pipelining");
      assertThat(c.closedWithin(2000)).isTrue();
    }
  }

  @Test
  void aClientLeavingDuringTheLookupLeavesNothingBehind() throws Exception {
    start(new FakeDnsServer((name, type) -> Answer.silence()), "resolver_timeout 300ms;");

    try (SmtpClient c = new SmtpClient("127.0.0.1", fx.port())) {
      c.send("EHLO early.example");
    }
    Thread.sleep(600);

    try (SmtpClient c = new SmtpClient("127.0.0.1", fx.port())) {
      assertThat(c.readLine()).isEqualTo(SmtpProxyFixture.GREETING);
    }
    assertThat(dns.questions()).hasSize(2);
  }
}
