package io.mailgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every load-generator scenario, run briefly against the fake backend in this JVM. */
class ScenariosTest {

  private static final int MESSAGE = 64 * 1024;
  private static FakeBackend backend;

  @BeforeAll
  static void startBackend() throws Exception {
    HostPort any = new HostPort("127.0.0.1", 0);
    backend = FakeBackend.start(any, any, any, true, MESSAGE, 1);
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  private static Options options(String scenario, String protocol, String... extra) {
    int port = "pop3".equals(protocol) ? backend.pop3Port() : "smtp".equals(protocol) ? backend.smtpPort()
        : backend.imapPort();
    String[] base = {scenario, "--target", "127.0.0.1:" + port, "--protocol", protocol, "--warmup", "0s",
        "--duration", "400ms", "--timeout", "5s", "--concurrency", "4", "--message-size", Integer.toString(MESSAGE)};
    String[] argv = new String[base.length + extra.length];
    System.arraycopy(base, 0, argv, 0, base.length);
    System.arraycopy(extra, 0, argv, base.length, extra.length);
    return LoadGen.options(Args.parse(argv));
  }

  @ParameterizedTest(name = "{0} {1} {2} {3}")
  @CsvSource({
      "imap, login, quoted, on", "imap, login, atom, on", "imap, login, literal, on", "imap, login, literal-plus, on",
      "imap, plain, quoted, on", "imap, plain, quoted, off", "imap, oauthbearer, quoted, on",
      "imap, xoauth2, quoted, off", "pop3, login, quoted, on", "pop3, plain, quoted, on", "pop3, plain, quoted, off",
      "smtp, login, quoted, on", "smtp, plain, quoted, on", "smtp, oauthbearer, quoted, off"})
  void loginStormCompletesSessionsWithoutErrors(String protocol, String auth, String form, String ir)
      throws Exception {
    Json result = LoadGen.run(options("login-storm", protocol, "--auth", auth, "--login-form", form, "--sasl-ir", ir));

    assertThat(result.get("first_error")).isNull();
    assertThat(result.number("errors")).isZero();
    assertThat(result.number("sessions")).isPositive();
    assertThat(result.number("p99_ms")).isPositive();
  }

  @ParameterizedTest(name = "{0} uid-fetch {1}")
  @CsvSource({"imap, off", "imap, on", "pop3, off"})
  void relayFetchCountsWholeMessages(String protocol, String uid) throws Exception {
    Json result = LoadGen.run(options("relay-fetch", protocol, "--uid-fetch", uid));

    assertThat(result.number("errors")).isZero();
    assertThat(result.number("operations")).isPositive();
    // IMAP counts the literal, POP3 the data block: the message plus the ".\r\n" end line.
    double perMessage = "pop3".equals(protocol) ? MESSAGE + 3 : MESSAGE;
    assertThat(result.number("bytes")).isEqualTo(result.number("operations") * perMessage);
  }

  @ParameterizedTest(name = "sync-literal {0}")
  @CsvSource({"off", "on"})
  void relayAppendUploadsWithEitherLiteral(String sync) throws Exception {
    Json result = LoadGen.run(options("relay-append", "imap", "--sync-literal", sync));

    assertThat(result.number("errors")).isZero();
    assertThat(result.number("operations")).isPositive();
    assertThat(result.number("bytes")).isEqualTo(result.number("operations") * MESSAGE);
  }

  @Test
  void latencyMeasuresExactlyTheRequestedRoundTrips() throws Exception {
    Json result = LoadGen.run(options("latency", "imap", "--count", "500", "--warmup-count", "100"));

    assertThat(result.number("errors")).isZero();
    assertThat(result.number("measured")).isEqualTo(500);
    assertThat(result.number("samples")).isEqualTo(500);
    assertThat(result.number("p50_us")).isPositive();
  }

  @Test
  void idleHoldsEverySessionThenLogsThemAllOut(@TempDir Path dir) throws Exception {
    Path ready = dir.resolve("ready");
    Json result = LoadGen.run(options("idle", "imap", "--sessions", "60", "--ramp", "7", "--hold", "100ms",
        "--ready-file", ready.toString()));

    assertThat(result.number("established")).isEqualTo(60);
    assertThat(result.number("errors")).isZero();
    assertThat(result.number("dropped_during_hold")).isZero();
    assertThat(result.get("logged_out_all")).isEqualTo(true);
    assertThat(Files.readString(ready)).isEqualTo("established\n");
  }

  @Test
  void idleRefusesMoreSessionsThanTheFileLimitAllows() {
    long limit = ProcStats.openFileLimit();
    org.junit.jupiter.api.Assumptions.assumeTrue(limit > 0 && limit < Integer.MAX_VALUE / 2);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Idle.checkFileLimit((int) limit))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ulimit -n");
  }

  @Test
  void aRefusedConnectionIsCountedAsAnErrorNotAHang() throws Exception {
    Options o = LoadGen.options(Args.parse(new String[] {"login-storm", "--target", "127.0.0.1:1", "--warmup", "0s",
        "--duration", "300ms", "--concurrency", "2"}));

    Json result = LoadGen.run(o);

    assertThat(result.number("sessions")).isZero();
    assertThat(result.number("errors")).isPositive();
    assertThat((String) result.get("first_error")).startsWith("connect:");
    assertThat(LoadGen.deadline(o)).isGreaterThan(Duration.ofSeconds(30));
  }
}
