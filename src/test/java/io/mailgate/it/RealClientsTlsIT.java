package io.mailgate.it;

import static io.mailgate.testkit.TlsProxyFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.TlsProxyFixture;
import io.mailgate.testkit.TlsProxyTestBase;
import io.mailgate.testkit.TlsToolRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real TLS clients through mailgate: {@code openssl s_client -starttls imap|pop3|smtp}, curl with {@code imaps://},
 * {@code pop3s://}, {@code smtps://} and with {@code --ssl-reqd} over STARTTLS, and Python's {@code IMAP4_SSL} and
 * {@code IMAP4.starttls()}. Each checks the server chain against the test CA. Skipped when a tool is missing, except
 * with {@code CI=true}, where that fails.
 */
class RealClientsTlsIT extends TlsProxyTestBase {

  private static final Duration LIMIT = Duration.ofSeconds(20);
  /** curl's exit code when --ssl-reqd cannot get TLS (CURLE_USE_SSL_FAILED). */
  private static final int USE_SSL_FAILED = 64;

  private static final String IMAPLIB_SCRIPT = String.join("\n",
      "import imaplib, ssl, sys",
      "port, mode, cafile = int(sys.argv[1]), sys.argv[2], sys.argv[3]",
      "ctx = ssl.create_default_context(cafile=cafile)",
      "if mode == 'ssl':",
      "    m = imaplib.IMAP4_SSL('127.0.0.1', port, ssl_context=ctx, timeout=10)",
      "else:",
      "    m = imaplib.IMAP4('127.0.0.1', port, timeout=10)",
      "    print('before=' + ' '.join(m.capabilities))",
      "    print('starttls=' + m.starttls(ssl_context=ctx)[0])",
      "print('caps=' + ' '.join(m.capabilities))",
      "print('version=' + m.sock.version())",
      "print('login=' + m.login('test@example.com', 'secret')[0])",
      "print('select=' + m.select('INBOX')[0])",
      "print('logout=' + m.logout()[0])",
      "");

  /** curl lists mailboxes and Python selects INBOX, so the IMAP backend has a mailbox. */
  @Override
  protected TlsProxyFixture newFixture() throws Exception {
    return new TlsProxyFixture(dir, FakeImapBackend.withMailbox());
  }

  private String sClientStarttls(int port, String protocol, String input, String waitFor) throws Exception {
    Path openssl = TlsToolRun.require("openssl");
    List<String> command = List.of(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + port, "-CAfile", CA,
        "-verify_return_error", "-crlf", "-nocommands", "-starttls", protocol);
    TlsToolRun.Result result = TlsToolRun.run(command, input, waitFor, LIMIT);
    assertThat(result.output()).as("s_client output").contains("Verify return code: 0 (ok)").contains(waitFor);
    return result.output();
  }

  private void assertOneTlsLogin(String protocol) {
    FakeAuthServer.Request request = fx.onlyAuthRequest();
    assertThat(request.header("Auth-Protocol")).isEqualTo(protocol);
    assertThat(request.header("Auth-User")).isEqualTo(USER);
    assertThat(request.header("Auth-SSL")).isEqualTo("on");
  }

  @Test
  void opensslStarttlsImapLogsInAndSelects() throws Exception {
    int port = startServer("imap", "starttls on;");
    String output = sClientStarttls(port, "imap", "a1 CAPABILITY\na2 LOGIN " + USER + " secret\na3 SELECT INBOX\n",
        "a3 OK [READ-WRITE] SELECT completed");
    assertThat(output).contains("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS AUTH=PLAIN\r\na1 OK completed")
        .contains("a2 OK LOGIN completed");
    assertOneTlsLogin("imap");
  }

  @Test
  void opensslStarttlsPop3LogsInAndReadsTheMaildrop() throws Exception {
    int port = startServer("pop3", "starttls on;");
    String stat = "+OK 1 " + FakePop3Backend.MESSAGE.length();
    String output = sClientStarttls(port, "pop3", "USER " + USER + "\nPASS secret\nSTAT\n", stat);
    assertThat(output).contains("+OK pass ok");
    assertOneTlsLogin("pop3");
  }

  @Test
  void opensslStarttlsSmtpAuthenticatesAndStartsAMail() throws Exception {
    int port = startServer("smtp", "starttls only;");
    String output = sClientStarttls(port, "smtp", "EHLO client.test\nAUTH PLAIN " + TlsProxyFixture.plain("secret")
        + "\nMAIL FROM:<a@example.com>\n", "250 2.1.0 Ok");
    assertThat(output).contains("250-mx.test\r\n250 AUTH PLAIN LOGIN").contains("235 2.0.0 OK");
    assertOneTlsLogin("smtp");
  }

  private CurlClient.Result curl(String... args) throws Exception {
    CurlClient curl = new CurlClient(TlsToolRun.require("curl"), dir);
    List<String> all = new ArrayList<>(List.of("-sS", "--max-time", "15", "--cacert", CA));
    all.addAll(List.of(args));
    return curl.run(LIMIT, all.toArray(String[]::new));
  }

  @Test
  void curlListsMailboxesOverImaps() throws Exception {
    int port = startImplicitServer("imap", "");
    CurlClient.Result result = curl("-u", USER + ":secret", "imaps://127.0.0.1:" + port + "/");
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.text()).contains("* LIST (\\HasNoChildren) \"/\" INBOX");
    assertOneTlsLogin("imap");
  }

  @Test
  void curlListsTheMaildropOverPop3s() throws Exception {
    int port = startImplicitServer("pop3", "");
    CurlClient.Result result = curl("-u", USER + ":secret", "pop3s://127.0.0.1:" + port + "/");
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.text()).isEqualTo("1 " + FakePop3Backend.MESSAGE.length() + "\r\n");
    assertOneTlsLogin("pop3");
  }

  @Test
  void curlSubmitsAMessageOverSmtps() throws Exception {
    int port = startImplicitServer("smtp", "");
    Path mail = Files.writeString(dir.resolve("mail.txt"), "Subject: smtps\r\n\r\nhello over smtps\r\n");
    CurlClient.Result result = curl("-u", USER + ":secret", "smtps://127.0.0.1:" + port, "--mail-from",
        "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", mail.toString());
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(fx.smtp.messages()).singleElement().asString().contains("hello over smtps");
    assertOneTlsLogin("smtp");
  }

  @Test
  void curlWithSslReqdUpgradesEachProtocolWithStarttls() throws Exception {
    int imap = fx.server("imap", false, "starttls on;");
    int pop3 = fx.server("pop3", false, "starttls only;");
    int smtp = fx.server("smtp", false, "starttls on;");
    fx.start(CERTIFICATE);
    CurlClient.Result imapResult = curl("--ssl-reqd", "-u", USER + ":secret", "imap://127.0.0.1:" + imap + "/");
    assertThat(imapResult.exitCode()).as(imapResult::describe).isZero();
    assertThat(imapResult.text()).contains("INBOX");
    CurlClient.Result pop3Result = curl("--ssl-reqd", "-u", USER + ":secret", "pop3://127.0.0.1:" + pop3 + "/1");
    assertThat(pop3Result.exitCode()).as(pop3Result::describe).isZero();
    assertThat(pop3Result.stdout()).isEqualTo(FakePop3Backend.MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
    Path mail = Files.writeString(dir.resolve("mail.txt"), "Subject: starttls\r\n\r\nupgraded\r\n");
    CurlClient.Result smtpResult = curl("--ssl-reqd", "-u", USER + ":secret", "smtp://127.0.0.1:" + smtp,
        "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", mail.toString());
    assertThat(smtpResult.exitCode()).as(smtpResult::describe).isZero();
    assertThat(fx.smtp.messages()).singleElement().asString().contains("upgraded");
    assertThat(fx.authRequests()).extracting(r -> r.header("Auth-Protocol")).containsExactly("imap", "pop3", "smtp");
    assertThat(fx.authRequests()).allSatisfy(r -> assertThat(r.header("Auth-SSL")).isEqualTo("on"));
  }

  @Test
  void curlWithSslReqdNeverSendsCredentialsToAServerWithoutStarttls() throws Exception {
    int imap = fx.server("imap", false, "starttls off;");
    int smtp = fx.server("smtp", false, "");
    fx.start(CERTIFICATE);
    CurlClient.Result imapResult = curl("--ssl-reqd", "-u", USER + ":secret", "imap://127.0.0.1:" + imap + "/");
    assertThat(imapResult.exitCode()).as(imapResult::describe).isEqualTo(USE_SSL_FAILED);
    Path mail = Files.writeString(dir.resolve("mail.txt"), "Subject: x\r\n\r\nx\r\n");
    CurlClient.Result smtpResult = curl("--ssl-reqd", "-u", USER + ":secret", "smtp://127.0.0.1:" + smtp,
        "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", mail.toString());
    assertThat(smtpResult.exitCode()).as(smtpResult::describe).isEqualTo(USE_SSL_FAILED);
    assertThat(fx.authRequests()).isEmpty();
  }

  private Map<String, String> imaplib(int port, String mode) throws Exception {
    Path python = TlsToolRun.require("python3");
    Path script = Files.writeString(dir.resolve("imap_tls.py"), IMAPLIB_SCRIPT);
    TlsToolRun.Result result = TlsToolRun.run(List.of(python.toString(), script.toString(), Integer.toString(port),
        mode, CA), "", null, LIMIT);
    assertThat(result.exitCode()).as(result.output()).isZero();
    Map<String, String> values = new HashMap<>();
    for (String line : result.output().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    return values;
  }

  @Test
  void pythonImap4SslLogsInSelectsAndLogsOut() throws Exception {
    int port = startImplicitServer("imap", "");
    Map<String, String> result = imaplib(port, "ssl");
    assertThat(result.get("caps")).isEqualTo("IMAP4 IMAP4REV1 UIDPLUS AUTH=PLAIN");
    assertThat(result.get("version")).isEqualTo("TLSv1.3");
    assertThat(result.get("login")).isEqualTo("OK");
    assertThat(result.get("select")).isEqualTo("OK");
    assertThat(result.get("logout")).isEqualTo("BYE");
    assertOneTlsLogin("imap");
  }

  @Test
  void pythonStarttlsSeesStarttlsOnlyBeforeTheUpgradeAndLogsInAfterIt() throws Exception {
    int port = startServer("imap", "starttls only;");
    Map<String, String> result = imaplib(port, "starttls");
    assertThat(result.get("before")).isEqualTo("IMAP4 IMAP4REV1 UIDPLUS STARTTLS LOGINDISABLED");
    assertThat(result.get("starttls")).isEqualTo("OK");
    assertThat(result.get("caps")).isEqualTo("IMAP4 IMAP4REV1 UIDPLUS AUTH=PLAIN");
    assertThat(result.get("login")).isEqualTo("OK");
    assertThat(result.get("select")).isEqualTo("OK");
    assertOneTlsLogin("imap");
  }
}
