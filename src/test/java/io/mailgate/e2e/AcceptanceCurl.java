package io.mailgate.e2e;

import io.mailgate.testkit.CurlClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * curl as the acceptance tests run it: silent but for errors, bounded in time, and explained (with its version and
 * the peers' logs) when an assertion on its result fails.
 */
final class AcceptanceCurl {

  /** curl's own time limit ({@code --max-time}): curl gives up first, so its own error reaches the failure message. */
  private static final String MAX_TIME_SECONDS = "15";
  /** The hard limit, after which a hung curl is killed. */
  private static final Duration KILL_AFTER = Duration.ofSeconds(20);

  private final CurlClient curl;
  private final String version;

  private AcceptanceCurl(CurlClient curl, String version) {
    this.curl = curl;
    this.version = version;
  }

  /** The installed curl, keeping its output files in {@code workDir}; a missing curl skips {@code test}. */
  static AcceptanceCurl find(Path workDir, Class<?> test) throws IOException, InterruptedException {
    Path binary = RequiredTools.installed(CurlClient.binary(), "curl (Debian package curl)", test);
    CurlClient curl = new CurlClient(binary, workDir);
    return new AcceptanceCurl(curl, curl.version());
  }

  /** Runs {@code curl -sS --max-time 15} with {@code args}. */
  CurlClient.Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("-sS", "--max-time", MAX_TIME_SECONDS));
    command.addAll(List.of(args));
    return curl.run(KILL_AFTER, command.toArray(String[]::new));
  }

  /** Runs curl with {@code options} (login, envelope, upload) on {@code url}. */
  CurlClient.Result run(List<String> options, String url) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(options);
    args.add(url);
    return run(args.toArray(String[]::new));
  }

  /** A failure message: curl's exit code, stderr and stdout, its version, then each of {@code context} on a line. */
  String explain(CurlClient.Result result, String... context) {
    return result.describe() + "\nstdout: " + result.text() + "\n" + version + "\n" + String.join("\n", context);
  }
}
