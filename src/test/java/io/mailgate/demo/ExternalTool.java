package io.mailgate.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a command-line client (curl, python3) as a child process with a bounded wait, capturing output exactly. */
final class ExternalTool {

  /** What one run produced; exit code -1 means it was killed after the time limit. */
  record Result(int exitCode, byte[] stdout, String stderr) {
    String text() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    String describe() {
      return "exit " + exitCode + ", stderr: " + stderr.strip();
    }
  }

  private ExternalTool() {}

  /** The first executable {@code name} on the PATH or in {@code /usr/bin}. */
  static Optional<Path> find(String name) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.add("/usr/bin");
    for (String dir : dirs) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Optional.of(Path.of(dir, name));
      }
    }
    return Optional.empty();
  }

  /** Whether tests needing a missing tool must fail rather than be skipped (CI promises the tools). */
  static boolean required() {
    return "true".equals(System.getenv("CI"));
  }

  /** Runs {@code command} in {@code workDir}; kills it after 30 seconds. */
  static Result run(Path workDir, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "tool", ".out");
    Path err = Files.createTempFile(workDir, "tool", ".err");
    // Files, not pipes: nothing has to drain them while the tool runs.
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    int exit;
    if (process.waitFor(30, TimeUnit.SECONDS)) {
      exit = process.exitValue();
    } else {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      exit = -1;
    }
    return new Result(exit, Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
  }
}
