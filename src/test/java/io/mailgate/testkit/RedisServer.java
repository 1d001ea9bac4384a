package io.mailgate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} on a free loopback port, in a folder of its own, persisting nothing; never a system
 * instance. Fails (does not skip) when the binary is missing: CI installs it.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Starts one in {@code dir}; returns once it answers PING. */
  public static RedisServer start(Path dir) throws IOException, InterruptedException {
    return start(dir, ProxyUnderTest.freePort());
  }

  /** As {@link #start(Path)}, on {@code port} (a Redis that comes back where it was). */
  public static RedisServer start(Path dir, int port) throws IOException, InterruptedException {
    Path binary = DovecotServer.findExecutable("redis-server", List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"))
        .orElseThrow(() -> new IOException("redis-server is not installed (apt-get install redis-server)"));
    Files.createDirectories(dir);
    Process p = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
        "--logfile", dir.resolve("redis.log").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
    RedisServer server = new RedisServer(dir, port, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && p.isAlive()) {
      try {
        if (server.command("PING").equals("+PONG")) {
          return server;
        }
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IOException("redis-server did not start: " + Files.readString(dir.resolve("out.txt")));
  }

  public int port() {
    return port;
  }

  /** Sends one inline command and returns the first line of the reply ({@code +PONG}, {@code :3}, {@code $-1}). */
  public String command(String inline) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s); the port is closed when this returns. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      process = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
