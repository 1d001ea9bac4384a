package io.mailgate.authn.routing;

import java.io.IOException;
import java.nio.file.Path;

/** A line of a configuration data file (users file, backend map) that cannot be used, reported as {@code file:line}. */
public class FileFormatException extends IOException {

  private final Path file;
  private final int line;

  /**
   * Creates the exception; {@code problem} must not quote secrets (callers never put hashes or passwords in it).
   *
   * @param line 1-based line number
   */
  public FileFormatException(Path file, int line, String problem) {
    super(file + ":" + line + ": " + problem);
    this.file = file;
    this.line = line;
  }

  /** The file that failed to load. */
  public Path file() {
    return file;
  }

  /** The 1-based number of the offending line. */
  public int line() {
    return line;
  }
}
