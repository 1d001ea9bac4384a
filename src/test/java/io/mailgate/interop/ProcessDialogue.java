package io.mailgate.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A line conversation through a child process's stdin and stdout (e.g. {@code openssl s_client -quiet}): lines are
 * written as typed, and read back raw (with their CRLF) with a deadline each, so that a silent peer fails the case
 * instead of hanging it. Everything seen is kept as the transcript.
 */
final class ProcessDialogue implements AutoCloseable {

  private static final byte[] END = new byte[0];

  private final Process process;
  private final OutputStream in;
  private final BlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();
  private final StringBuilder transcript = new StringBuilder();
  private final Duration lineLimit;

  ProcessDialogue(List<String> command, Path stderr, Duration lineLimit) throws IOException {
    this.process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    this.in = process.getOutputStream();
    this.lineLimit = lineLimit;
    Thread reader = new Thread(() -> split(process.getInputStream()), "dialogue-" + command.get(0));
    reader.setDaemon(true);
    reader.start();
  }

  private void split(InputStream out) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = out.read()) >= 0) {
        line.write(b);
        if (b == '\n') {
          lines.add(line.toByteArray());
          line.reset();
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    if (line.size() > 0) {
      lines.add(line.toByteArray());
    }
    lines.add(END);
  }

  /** Writes {@code line} and CRLF. */
  void send(String line) throws IOException {
    transcript.append("C: ").append(line).append('\n');
    in.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Writes {@code bytes} as they are (a message body). */
  void sendRaw(byte[] bytes) throws IOException {
    transcript.append("C: <").append(bytes.length).append(" bytes>\n");
    in.write(bytes);
    in.flush();
  }

  /** The next line with its line end, or null at the end of the output. */
  byte[] readRawLine() throws IOException, InterruptedException {
    byte[] line = lines.poll(lineLimit.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null) {
      throw new IOException("no line within " + lineLimit.toSeconds() + " s\n" + transcript);
    }
    if (line == END) {
      lines.add(END);
      return null;
    }
    transcript.append("S: ").append(new String(line, StandardCharsets.UTF_8).stripTrailing()).append('\n');
    return line;
  }

  /** The next line without its line end, or null at the end of the output. */
  String readLine() throws IOException, InterruptedException {
    byte[] raw = readRawLine();
    return raw == null ? null : new String(raw, StandardCharsets.UTF_8).stripTrailing();
  }

  /** Lines up to and including the first that starts with {@code prefix}; that line, or null at the end. */
  String readUntil(String prefix) throws IOException, InterruptedException {
    String line;
    do {
      line = readLine();
    } while (line != null && !line.startsWith(prefix));
    return line;
  }

  String transcript() {
    return transcript.toString();
  }

  @Override
  public void close() throws InterruptedException {
    try {
      in.close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
