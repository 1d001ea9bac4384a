package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/mailgate} run as operators run it: a real process on a configuration file in a test folder, signalled
 * with {@code kill} and {@code mailgate -s}. Its pid file is {@code mailgate.pid} in that folder; what it prints goes
 * to {@code out.txt} there.
 */
public final class MailgateProcess implements AutoCloseable {

  /** The launcher of the source tree (the build has made target/mailgate.jar before the integration tests run). */
  public static final Path LAUNCHER = Path.of("bin/mailgate").toAbsolutePath();

  private final Path dir;
  private final Path config;
  private final Process process;

  private MailgateProcess(Path dir, Path config, Process process) {
    this.dir = dir;
    this.config = config;
    this.process = process;
  }

  /**
   * Writes {@code configText} to {@code dir/mailgate.conf} (with {@code pid} set to {@code dir/mailgate.pid} in front)
   * and starts mailgate on it; returns once the pid file exists (every listener bound).
   */
  public static MailgateProcess start(Path dir, String configText) throws IOException, InterruptedException {
    return start(dir, configText, Map.of());
  }

  /** As {@link #start(Path, String)}, with {@code environment} added to the process's environment. */
  public static MailgateProcess start(Path dir, String configText, Map<String, String> environment)
      throws IOException, InterruptedException {
    Path config = dir.resolve("mailgate.conf");
    Files.writeString(config, pidLine(dir) + configText);
    ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "-p", dir.toString(), "-c", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
    builder.environment().putAll(environment);
    Process p = builder.start();
    MailgateProcess started = new MailgateProcess(dir, config, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!Files.exists(started.pidFile()) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (!Files.exists(started.pidFile())) {
      p.destroyForcibly();
      throw new IOException("mailgate did not start: " + started.output());
    }
    return started;
  }

  private static String pidLine(Path dir) {
    return "pid " + dir.resolve("mailgate.pid") + ";\n";
  }

  /** Replaces the configuration file's text (the pid line is kept in front), for the next reload. */
  public void rewriteConfig(String configText) throws IOException {
    Files.writeString(config, pidLine(dir) + configText);
  }

  /** The configuration file. */
  public Path config() {
    return config;
  }

  /** The pid file. */
  public Path pidFile() {
    return dir.resolve("mailgate.pid");
  }

  /** The process. */
  public Process process() {
    return process;
  }

  /** Sends {@code signal} (e.g. {@code HUP}) with kill(1). */
  public void signal(String signal) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
    if (exit != 0) {
      throw new IOException("kill -" + signal + " failed");
    }
  }

  /**
   * Runs {@code bin/mailgate -p DIR -c CONFIG -s SIGNAL} to completion.
   *
   * @return its exit status and what it printed
   */
  public Result control(String signal) throws IOException, InterruptedException {
    return run(LAUNCHER.toString(), "-p", dir.toString(), "-c", config.toString(), "-s", signal);
  }

  /** Runs a command to completion (at most a minute). */
  public static Result run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not end");
    }
    return new Result(p.exitValue(), out);
  }

  /** A finished command: exit status and output. */
  public record Result(int exit, String output) {}

  /** Waits for the process to end; its exit status, or -1 if it is still running after {@code seconds}. */
  public int awaitExit(int seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  /** What the process printed so far. */
  public String output() throws IOException {
    Path out = dir.resolve("out.txt");
    return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
  }

  /** The lines of a log file in the test folder, or none when it does not exist. */
  public List<String> logLines(String name) throws IOException {
    Path file = dir.resolve(name);
    return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : new ArrayList<>();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
