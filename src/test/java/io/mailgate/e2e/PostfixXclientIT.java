package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.PostfixServer;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.SmtpClient;
import io.mailgate.testkit.SmtpProxyFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP XCLIENT with every attribute Postfix lists, against a real Postfix that trusts mailgate's address (127.0.0.1,
 * {@code smtpd_authorized_xclient_hosts}) and logs client ports ({@code smtpd_client_port_logging}): the client,
 * connecting from 127.0.0.8, appears in Postfix's log with its own port, its HELO name and ESMTP, and as the SASL login
 * that mailgate passed on; Postfix took the whole attribute line (a 501 would have failed the login).
 */
class PostfixXclientIT {

  private static final String CLIENT_ADDRESS = "127.0.0.8";
  private static final String CLIENT_HELO = "client.helo.mailgate.test";
  private static final String RCPT = "rcpt@example.com";
  private static final String UNKNOWN_RCPT = "nobody@example.com";
  private static final Duration LOG_LIMIT = Duration.ofSeconds(10);
  private static final Pattern QUEUED = Pattern.compile("^250 .*queued as (\\w+)$");

  @TempDir static Path dir;
  static PostfixServer postfix;
  static FakeAuthServer auth;
  static ProxyUnderTest proxy;

  @BeforeAll
  static void start() throws Exception {
    postfix = RequiredTools.postfix(PostfixXclientIT.class, dir.resolve("postfix"),
        List.of("smtpd_client_port_logging = yes"), RCPT);
    auth = new FakeAuthServer(request -> USER.equals(request.header("Auth-User"))
        && PASSWORD.equals(request.header("Auth-Pass")) ? FakeAuthServer.ok(postfix.port())
        : FakeAuthServer.fail("Invalid login or password", "Auth-Wait: 1"));
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")),
        "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol smtp; server_name mx.mailgate.test; xclient on; }");
  }

  @AfterAll
  static void stop() throws Exception {
    LeakWatcher.closeThenAssertNoLeaks(proxy, auth, postfix);
  }

  @Test
  void postfixLogsTheClientsAddressPortHeloAndLoginFromXclient() throws Exception {
    int clientPort;
    String queueId;
    try (SmtpClient c = new SmtpClient(CLIENT_ADDRESS, "127.0.0.1", proxy.port())) {
      clientPort = c.localPort();
      assertThat(c.readLine()).isEqualTo("220 mx.mailgate.test ESMTP ready");
      assertThat(c.command("EHLO " + CLIENT_HELO)).startsWith("250 ");
      assertThat(c.command("AUTH PLAIN " + SmtpProxyFixture.b64("\0" + USER + "\0" + PASSWORD)))
          .as(postfix::log).isEqualTo("235 2.0.0 OK");
      // From here on Postfix answers: the relay is open.
      assertThat(c.command("MAIL FROM:<" + USER + ">")).as(postfix::log).startsWith("250 ");
      // A refused recipient makes smtpd log the session's proto= and helo= (smtpd_check.c's reject lines).
      assertThat(c.command("RCPT TO:<" + UNKNOWN_RCPT + ">")).startsWith("550 5.1.1 ");
      assertThat(c.command("RCPT TO:<" + RCPT + ">")).startsWith("250 ");
      assertThat(c.command("DATA")).startsWith("354 ");
      c.sendRaw("Subject: xclient\r\n\r\nhello\r\n.\r\n");
      String queued = c.reply();
      Matcher m = QUEUED.matcher(queued);
      assertThat(m.matches()).as(queued).isTrue();
      queueId = m.group(1);
      assertThat(c.command("QUIT")).startsWith("221 ");
    }
    String client = "unknown[" + CLIENT_ADDRESS + "]:" + clientPort;
    awaitMaillog("NOQUEUE: reject: RCPT from " + client + ": 550 5.1.1 <" + UNKNOWN_RCPT + ">");
    assertThat(maillogLine("NOQUEUE: reject: RCPT from " + client))
        .endsWith("from=<" + USER + "> to=<" + UNKNOWN_RCPT + "> proto=ESMTP helo=<" + CLIENT_HELO + ">");
    awaitMaillog(queueId + ": client=" + client + ", sasl_method=XCLIENT, sasl_username=" + USER);
    // ehlo=2: mailgate's EHLO, then the client's again after XCLIENT reset the session. xclient=0/1 is how Postfix
    // counts a good XCLIENT: it restarts the session (a longjmp in smtpd.c) before the success is counted.
    awaitMaillog("disconnect from " + client + " ehlo=2 xclient=0/1 mail=1 rcpt=1/2 data=1 quit=1 commands=6/8");
    String log = postfix.maillog();
    // The TCP connection is mailgate's own (its port differs from the client's); XCLIENT made it the client's.
    assertThat(log).containsPattern("connect from unknown\\[" + Pattern.quote(PostfixServer.XCLIENT_HOST)
        + "]:\\d+\\n");
    assertThat(log).doesNotContainPattern("smtpd\\[\\d+]: (warning|error|fatal): ");
  }

  private static void awaitMaillog(String text) {
    await().atMost(LOG_LIMIT).pollInterval(Duration.ofMillis(50)).alias("maillog line " + text + "\n" + postfix.log())
        .until(() -> maillogLine(text) != null);
  }

  /** The first maillog line containing {@code text}, or null. */
  private static String maillogLine(String text) {
    try {
      return postfix.maillog().lines().filter(l -> l.contains(text)).findFirst().orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
