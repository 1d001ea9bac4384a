package io.mailgate.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a real TLS client ({@code openssl s_client}, {@code python3}) as a child process with bounded waits: writes
 * its standard input, waits until the output (stdout and stderr merged) shows a given text or the process ends, then
 * closes its input and collects everything it printed.
 */
public final class TlsToolRun {

  /** What the process printed and how it ended; exit code -1 means it was killed at the time limit. */
  public record Result(int exitCode, String output) {}

  private TlsToolRun() {}

  /**
   * The executable {@code name} from PATH (or /usr/bin, /usr/local/bin). Missing: the test is skipped, except when
   * the environment says {@code CI=true}, where the tools are installed and a skip would hide a failure.
   */
  public static Path require(String name) {
    Optional<Path> found = DovecotServer.findExecutable(name, List.of("/usr/bin", "/usr/local/bin", "/bin"));
    if (found.isPresent()) {
      return found.get();
    }
    String message = name + " is not installed";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + ": CI installs it, so the real-client test must not be skipped");
    }
    Assumptions.assumeTrue(false, message + "; skipping the real-client test");
    return null;
  }

  /**
   * Starts {@code command}, writes {@code input}, waits until the output contains {@code waitFor} (null: until the
   * process ends) or {@code limit} passes, then closes stdin and gives the process 5 s more to end.
   */
  public static Result run(List<String> command, String input, String waitFor, Duration limit)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(process.getInputStream(), captured), "tls-tool-output");
    reader.setDaemon(true);
    reader.start();
    OutputStream stdin = process.getOutputStream();
    try {
      stdin.write(input.getBytes(StandardCharsets.ISO_8859_1));
      stdin.flush();
    } catch (IOException processEnded) {
      // It ended before reading its input: the output says why.
    }
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline && process.isAlive() && !shows(captured, waitFor)) {
      Thread.sleep(20);
    }
    try {
      stdin.close();
    } catch (IOException processEnded) {
      // nothing left to close
    }
    int exit;
    if (process.waitFor(5, TimeUnit.SECONDS)) {
      exit = process.exitValue();
    } else {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      exit = -1;
    }
    reader.join(5000);
    return new Result(exit, text(captured));
  }

  private static boolean shows(ByteArrayOutputStream out, String waitFor) {
    return waitFor != null && text(out).contains(waitFor);
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        synchronized (out) {
          out.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }
}
