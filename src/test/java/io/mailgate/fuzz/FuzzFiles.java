package io.mailgate.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One scratch folder per fuzz JVM for the targets whose parser reads a file (configuration, users file, backend map):
 * each input overwrites the same file, so a long run neither fills the disk nor spends its time creating folders.
 */
final class FuzzFiles {

  private static final Path DIR = create();

  private FuzzFiles() {}

  /** Writes {@code content} to {@code name} in the scratch folder and returns its path. */
  static Path write(String name, byte[] content) {
    Path file = DIR.resolve(name);
    try {
      Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The scratch folder (the configuration's prefix). */
  static Path dir() {
    return DIR;
  }

  private static Path create() {
    try {
      Path dir = Files.createTempDirectory("mailgate-fuzz");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
