package io.mailgate.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line client (curl, python3, swaks, fetchmail, mutt ...) to completion with a bounded wait, its
 * output captured byte for byte in files of a work directory.
 */
public final class ChildProcess {

  /** What one run produced; exit code -1 means it was killed after the time limit. */
  public record Result(int exitCode, byte[] stdout, String stderr) {
    /** stdout as UTF-8 text. */
    public String text() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Exit code and stderr, for failure messages. */
    public String describe() {
      return "exit " + exitCode + ", stderr: " + stderr.strip();
    }
  }

  private ChildProcess() {}

  /** Runs {@code command} with stdin from /dev/null. */
  public static Result run(List<String> command, Path workDir, Duration limit) throws IOException,
      InterruptedException {
    return run(command, workDir, limit, Map.of(), null);
  }

  /**
   * Runs {@code command} in {@code workDir} with {@code environment} added, stdin from {@code stdin} (null:
   * /dev/null); kills it if it has not finished within {@code limit}.
   */
  public static Result run(List<String> command, Path workDir, Duration limit, Map<String, String> environment,
      Path stdin) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "run", ".out");
    Path err = Files.createTempFile(workDir, "run", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        // Files, not pipes: nothing has to drain them while the client runs, so a chatty one can never block.
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(stdin != null ? stdin.toFile() : new File("/dev/null")));
    builder.environment().putAll(environment);
    Process process = builder.start();
    int exit;
    if (process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      exit = process.exitValue();
    } else {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      exit = -1;
    }
    try {
      return new Result(exit, Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
