package io.mailgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.LogLevel;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * The fault-matrix integration tests (issue 15): one IMAP proxy per case, its error log captured, and the aftermath
 * every case must show: exactly one log line at {@code info} or above saying why, the next client served normally
 * (so no event-loop thread is blocked or wedged by the fault), and no Netty buffer leaked (paranoid detection, the
 * build's {@code leak.level}, checked after each case rather than after the class, so a leak names its case).
 */
public abstract class FaultMatrixTestBase extends ImapProxyTestBase {

  /** What nginx answers an IMAP client when the auth service or the backend fails. */
  public static final String INTERNAL_ERROR = "* BAD internal server error";

  /** mailgate's error log, from the start of the case; null until {@link #startProxy}. */
  protected LogCapture log;

  /** Starts mailgate (mail-level and IMAP server directives as {@link ImapProxyFixture#start(String, String)}). */
  protected void startProxy(String mailDirectives, String serverDirectives) throws Exception {
    fx.start(mailDirectives, serverDirectives);
    // The start resets logging: capture from here.
    log = LogCapture.onRootAtDebug();
  }

  /** As {@link #startProxy(String, String)} with {@code mailDirectives} the only mail directives (auth_http too). */
  protected void startProxyRaw(String mailDirectives, String serverDirectives) throws Exception {
    fx.startRaw(mailDirectives, serverDirectives);
    log = LogCapture.onRootAtDebug();
  }

  /**
   * Exactly one line at {@code info} or above contains {@code why} (the reason, as an operator reads it), and no line
   * is above {@code error} or reports an unexpected exception (a handler that threw, a task that failed).
   */
  protected void assertOneLogLineSaying(String why) {
    assertOneLogLineSaying(log, why);
  }

  /** {@link #assertOneLogLineSaying(String)} on any capture, for fault tests on other fixtures. */
  public static void assertOneLogLineSaying(LogCapture log, String why) {
    List<String> lines = log.atLeast(LogLevel.INFO);
    assertThat(lines).as("the error log").filteredOn(l -> l.contains(why)).hasSize(1);
    assertThat(log.atLeast(LogLevel.CRIT)).as("crit and worse").isEmpty();
    assertThat(log.text()).as("no unexpected exception in the log")
        .doesNotContain("An exceptionCaught() event was fired", "A task raised an exception",
            "Unexpected exception", "NullPointerException", "ArithmeticException", "IllegalStateException");
  }

  /**
   * A client arriving after the fault logs in within 3 s through the auth service (healthy again, or the fixture's)
   * to the fixture's backend.
   */
  protected void assertNextClientLogsIn() throws IOException {
    long start = System.nanoTime();
    try (LineClient c = fx.connect()) {
      c.send("n1 LOGIN next@example.com secret");
      assertThat(c.readLine()).as("the next client's login").isEqualTo("n1 OK LOGIN completed");
      c.send("n2 LOGOUT");
      assertThat(c.readLines(2)).containsExactly("* BYE fake logging out", "n2 OK LOGOUT completed");
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("next client's time, ms").isLessThan(3000);
  }

  /** An auth_http script answering every request OK towards the fixture's backend, keep-alive. */
  protected ScriptedPeer.Script healthyAuthService() {
    return s -> {
      java.io.InputStream in = s.getInputStream();
      while (ScriptedPeer.readHttpHead(in)) {
        ScriptedPeer.write(s, FakeAuthServer.ok(fx.backend.port(), "Content-Length: 0") + "\r\n");
      }
    };
  }

  /** Milliseconds since {@code startNanos}. */
  protected static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Each case's own leak check: closes the capture and fails on any leaked buffer. */
  @AfterEach
  protected void noLeakInThisCase() throws Exception {
    if (log != null) {
      log.close();
    }
    LeakWatcher.assertNoLeaks();
  }
}
