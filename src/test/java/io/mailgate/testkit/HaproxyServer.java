package io.mailgate.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private HAProxy in the foreground ({@code -db}) on a configuration file the test wrote; never a system instance.
 * Fails (does not skip) when the binary is missing: CI installs it.
 */
public final class HaproxyServer implements AutoCloseable {

  private final Process process;
  private final Path dir;

  private HaproxyServer(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /** The installed haproxy, if any (for a test to skip cleanly without it). */
  public static Optional<Path> binary() {
    return DovecotServer.findExecutable("haproxy", List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin"));
  }

  /** Checks {@code config}, starts HAProxy on it, and returns once {@code port} accepts connections. */
  public static HaproxyServer start(Path config, int port) throws IOException, InterruptedException {
    Path binary = DovecotServer.findExecutable("haproxy", List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin"))
        .orElseThrow(() -> new IOException("haproxy is not installed (apt-get install haproxy)"));
    Path dir = config.getParent();
    Process check = new ProcessBuilder(binary.toString(), "-c", "-f", config.toString()).redirectErrorStream(true)
        .start();
    String checkOutput = new String(check.getInputStream().readAllBytes());
    if (!check.waitFor(10, TimeUnit.SECONDS) || check.exitValue() != 0) {
      throw new IOException("haproxy -c failed: " + checkOutput);
    }
    Process p = new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy-out.txt").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && p.isAlive()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return new HaproxyServer(p, dir);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IOException("haproxy did not start: " + Files.readString(dir.resolve("haproxy-out.txt")));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
