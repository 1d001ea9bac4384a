package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs the curl command-line tool as a child process with a bounded wait, capturing its output byte for byte. */
public final class CurlClient {

  /** curl's exit code for "the remote server denied curl to login" (CURLE_LOGIN_DENIED). */
  public static final int LOGIN_DENIED = 67;

  private final Path binary;
  private final Path workDir;

  /** A client running {@code binary}, keeping output files in {@code workDir}. */
  public CurlClient(Path binary, Path workDir) {
    this.binary = binary;
    this.workDir = workDir;
  }

  /** What one run produced; exit code -1 means it was killed after the time limit. */
  public record Result(int exitCode, byte[] stdout, String stderr) {
    /** stdout as UTF-8 text. */
    public String text() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Exit code and stderr, for failure messages. */
    public String describe() {
      return "curl exit " + exitCode + ", stderr: " + stderr.strip();
    }
  }

  /** The curl binary from PATH or /usr/bin. */
  public static Optional<Path> binary() {
    return DovecotServer.findExecutable("curl", List.of("/usr/bin", "/usr/local/bin", "/bin"));
  }

  /** The first line of {@code curl --version}. */
  public String version() throws IOException, InterruptedException {
    return new String(run(Duration.ofSeconds(10), "--version").stdout(), StandardCharsets.UTF_8).lines()
        .findFirst().orElse("");
  }

  /** Runs curl with {@code args}; kills it if it has not finished within {@code limit}. */
  public Result run(Duration limit, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    ChildProcess.Result run = ChildProcess.run(command, workDir, limit);
    return new Result(run.exitCode(), run.stdout(), run.stderr());
  }
}
