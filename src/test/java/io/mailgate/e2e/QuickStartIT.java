package io.mailgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start, exactly as written: {@code bin/mailgate} on the shipped {@code conf/mailgate.conf}, then each
 * {@code curl} line of the "Try it" block, run by a shell from the project folder. A newcomer gets there in two
 * commands; this test keeps it true.
 */
class QuickStartIT {

  private static final Path HOME = Path.of("").toAbsolutePath();

  @Test
  void theReadmeCurlLinesWorkAgainstTheShippedConfiguration() throws Exception {
    List<String> commands = tryItCommands(Files.readString(HOME.resolve("README.md")));
    assertThat(commands).hasSize(3).allMatch(c -> c.startsWith("curl "));
    Path pid = HOME.resolve("logs/mailgate.pid");
    Files.deleteIfExists(pid);
    Process mailgate = new ProcessBuilder(HOME.resolve("bin/mailgate").toString())
        .redirectErrorStream(true).redirectOutput(HOME.resolve("target/quickstart-mailgate.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.exists(pid) && mailgate.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(pid).as("mailgate started on the shipped configuration").exists();

      assertThat(run(commands.get(0))).contains("INBOX");
      String byPassword = run(commands.get(1));
      assertThat(byPassword).contains("Subject:").contains("mailgate");
      String byToken = run(commands.get(2));
      assertThat(byToken).isEqualTo(byPassword);
    } finally {
      new ProcessBuilder(HOME.resolve("bin/mailgate").toString(), "-s", "stop").start().waitFor(20, TimeUnit.SECONDS);
      if (!mailgate.waitFor(20, TimeUnit.SECONDS)) {
        mailgate.destroyForcibly();
      }
    }
  }

  /** The lines of the first fenced block after the "### Try it" heading. */
  static List<String> tryItCommands(String readme) {
    int heading = readme.indexOf("### Try it");
    int open = readme.indexOf("```sh\n", heading);
    int close = readme.indexOf("```", open + 6);
    List<String> lines = new ArrayList<>();
    for (String line : readme.substring(open + 6, close).split("\n")) {
      if (!line.isBlank()) {
        lines.add(line.strip());
      }
    }
    return lines;
  }

  /** The command's standard output; standard error (curl's progress meter) only goes into a failure message. */
  private static String run(String command) throws IOException, InterruptedException {
    Path errors = Files.createTempFile("quickstart", ".err");
    try {
      Process p = new ProcessBuilder("bash", "-c", command).directory(HOME.toFile())
          .redirectError(errors.toFile()).start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("finished: " + command).isTrue();
      String text = new String(out, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(command + "\n" + text + Files.readString(errors)).isZero();
      return text;
    } finally {
      Files.deleteIfExists(errors);
    }
  }
}
