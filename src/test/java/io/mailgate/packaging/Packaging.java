package io.mailgate.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the packaging tests share: where the build put its outputs, unpacking them, running commands. */
final class Packaging {

  private Packaging() {}

  /** target/mailgate-VERSION.tar.gz, as the pom's failsafe configuration names it. */
  static Path archive() {
    Path archive = Path.of(System.getProperty("mailgate.archive", "target/mailgate-archive-not-configured.tar.gz"));
    assertThat(archive).as("the release archive (mvn package makes it)").isRegularFile();
    return archive;
  }

  /** The project version: the archive's top folder is mailgate-VERSION. */
  static String version() {
    return System.getProperty("mailgate.version", "unknown");
  }

  /** Unpacks the release archive into {@code dir}; returns its top folder (mailgate-VERSION). */
  static Path unpackArchive(Path dir) throws Exception {
    Result tar = run(Duration.ofSeconds(60), "tar", "-xzf", archive().toString(), "-C", dir.toString());
    assertThat(tar.exit()).as("tar -xzf: %s", tar.output()).isZero();
    return dir.resolve("mailgate-" + version());
  }

  /** Whether {@code command} is on the PATH. */
  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** Whether these tests run as root (chroot and unshare need it). */
  static boolean root() {
    try {
      return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Runs {@code command} to its end (killed after {@code limit}); standard output and error together. */
  static Result run(Duration limit, String... command) throws Exception {
    return run(limit, List.of(command));
  }

  static Result run(Duration limit, List<String> command) throws Exception {
    Path out = Files.createTempFile("mailgate-packaging", ".out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(command + " still running after " + limit + ": " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** A finished command. */
  record Result(int exit, String output) {}
}
