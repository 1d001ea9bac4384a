package io.mailgate.accesslog;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** {@code access_log stderr}. */
final class StderrLineSink extends LineSink {

  private final PrintStream err;

  StderrLineSink(PrintStream err) {
    this.err = err;
  }

  @Override
  synchronized void write(String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    err.write(bytes, 0, bytes.length);
    err.flush();
  }

  @Override
  public String toString() {
    return "stderr";
  }
}
