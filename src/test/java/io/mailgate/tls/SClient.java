package io.mailgate.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code openssl s_client} against a local port and returns what it printed. */
final class SClient {
  private SClient() {}

  /**
   * Connects, waits until the output contains {@code waitFor} (or the process ends, or 10 s pass), then closes stdin
   * so that s_client exits.
   */
  static String run(int port, String waitFor, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(process.getInputStream(), captured));
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && process.isAlive() && !text(captured).contains(waitFor)) {
      Thread.sleep(10);
    }
    process.getOutputStream().close();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    reader.join(5000);
    return text(captured);
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
      // The process ended.
    }
  }
}
