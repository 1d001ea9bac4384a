package io.mailgate.accesslog;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code access_log FILE}: appended to (O_APPEND), so other writers of the file (another mailgate, a sink of an older
 * configuration) never cut into a line, as each line is one write.
 */
final class FileLineSink extends LineSink {

  private final Path path;
  private FileOutputStream out;

  /** Opens {@code path} now, so that a file that cannot be opened fails the start or the reload. */
  FileLineSink(Path path) throws IOException {
    this.path = path;
    this.out = open(path);
  }

  private static FileOutputStream open(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new FileOutputStream(path.toFile(), true);
  }

  @Override
  synchronized void write(String line) throws IOException {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    if (out != null) {
      out.write(bytes);
      return;
    }
    try (FileOutputStream once = open(path)) {
      once.write(bytes);
    }
  }

  @Override
  synchronized void reopen() throws IOException {
    if (out == null) {
      return;
    }
    FileOutputStream fresh = open(path);
    FileOutputStream old = out;
    out = fresh;
    old.close();
  }

  @Override
  synchronized void retire() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        // The descriptor is gone either way.
      }
      out = null;
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
