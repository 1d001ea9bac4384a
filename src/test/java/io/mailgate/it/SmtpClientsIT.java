package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.SmtpProxyFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real SMTP clients (Python's smtplib, curl, swaks) submit mail through mailgate to a fake backend. */
class SmtpClientsIT {

  private static final String PYTHON_CLIENT = String.join("\n",
      "import smtplib, sys",
      "host, port, mech, body = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]",
      "s = smtplib.SMTP(host, port, timeout=10)",
      "s.ehlo('py.example')",
      "if mech == 'XOAUTH2':",
      "    s.auth('XOAUTH2', lambda challenge=None: 'user=py@example.com\\x01auth=Bearer secret\\x01\\x01')",
      "else:",
      "    s.user, s.password = 'py@example.com', 'secret'",
      "    s.auth(mech, getattr(s, 'auth_' + mech.lower()))",
      "s.sendmail('py@example.com', ['rcpt@example.com'], 'Subject: py\\r\\n\\r\\n' + body + '\\r\\n')",
      "s.quit()",
      "");

  @TempDir Path dir;
  SmtpProxyFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new SmtpProxyFixture(dir);
    fx.auth.respondWith(r -> "secret".equals(r.header("Auth-Pass")) ? FakeAuthServer.ok(fx.backend.port())
        : FakeAuthServer.fail("Invalid login"));
    fx.start("smtp_auth plain login xoauth2 oauthbearer; smtp_capabilities PIPELINING 8BITMIME;");
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    LeakWatcher.assertNoLeaks();
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN", "XOAUTH2"})
  void pythonSmtplibLogsInAndSendsAMessage(String mechanism) throws Exception {
    Optional<Path> python = executable("python3");
    assumeThat(python).as("python3").isPresent();
    Path script = Files.writeString(dir.resolve("client.py"), PYTHON_CLIENT);
    String body = "hello from smtplib " + mechanism;
    Run run = run(python.get().toString(), script.toString(), "127.0.0.1", Integer.toString(fx.port()), mechanism,
        body);
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(fx.backend.messages()).singleElement().asString().contains(body);
    assertThat(fx.auth.requests().get(0).header("Auth-Method"))
        .isEqualTo(mechanism.equals("XOAUTH2") ? "xoauth2" : "plain");
  }

  @Test
  void curlSubmitsAMessageWithAUserAndPassword() throws Exception {
    CurlClient curl = curl();
    Path mail = Files.writeString(dir.resolve("mail.txt"), "Subject: curl\r\n\r\nhello from curl\r\n");
    CurlClient.Result result = curl.run(Duration.ofSeconds(20), "-sS", "smtp://127.0.0.1:" + fx.port(),
        "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", mail.toString(),
        "--user", "curl@example.com:secret");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(fx.backend.messages()).singleElement().asString().contains("hello from curl");
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo("curl@example.com");
  }

  @Test
  void curlSubmitsAMessageWithAnOAuthBearerToken() throws Exception {
    CurlClient curl = curl();
    Path mail = Files.writeString(dir.resolve("mail.txt"), "Subject: curl\r\n\r\nbearer mail\r\n");
    CurlClient.Result result = curl.run(Duration.ofSeconds(20), "-sS", "smtp://127.0.0.1:" + fx.port(),
        "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", mail.toString(),
        "--user", "curl@example.com:", "--oauth2-bearer", "secret");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(fx.backend.messages()).singleElement().asString().contains("bearer mail");
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isIn("oauthbearer", "xoauth2");
  }

  @Test
  void curlReportsARefusedLogin() throws Exception {
    CurlClient curl = curl();
    Path mail = Files.writeString(dir.resolve("mail.txt"), "Subject: x\r\n\r\nx\r\n");
    CurlClient.Result result = curl.run(Duration.ofSeconds(20), "-sS", "smtp://127.0.0.1:" + fx.port(),
        "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", mail.toString(),
        "--user", "curl@example.com:wrong");
    assertThat(result.exitCode()).as(result.describe()).isEqualTo(CurlClient.LOGIN_DENIED);
    assertThat(fx.backend.messages()).isEmpty();
  }

  @Test
  void swaksSubmitsAMessageWithAuthPlain() throws Exception {
    Optional<Path> swaks = executable("swaks");
    assumeThat(swaks).as("swaks").isPresent();
    Run run = run(swaks.get().toString(), "--server", "127.0.0.1:" + fx.port(), "--auth", "PLAIN",
        "--auth-user", "swaks@example.com", "--auth-password", "secret", "--to", "x@example.com",
        "--from", "a@example.com", "--body", "hello from swaks", "--timeout", "10");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(fx.backend.messages()).singleElement().asString().contains("hello from swaks");
  }

  private CurlClient curl() {
    Optional<Path> binary = CurlClient.binary();
    assumeThat(binary).as("curl").isPresent();
    return new CurlClient(binary.get(), dir);
  }

  /** {@code name} in /usr/bin or /usr/local/bin, where the packages put them. */
  private static Optional<Path> executable(String name) {
    for (String folder : List.of("/usr/bin", "/usr/local/bin")) {
      Path candidate = Path.of(folder, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private record Run(int exit, String output) {}

  /** Runs a command with a bounded wait; output goes to a file so nothing has to drain a pipe. */
  private Run run(String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "client", ".out");
    Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    int exit;
    if (process.waitFor(30, TimeUnit.SECONDS)) {
      exit = process.exitValue();
    } else {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      exit = -1;
    }
    return new Run(exit, Files.readString(out, StandardCharsets.UTF_8));
  }
}
