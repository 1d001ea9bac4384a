package io.mailgate.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Expands an {@code include} pattern the way glob(3) does for nginx: {@code *}, {@code ?} and {@code [...]} in any
 * path component, names starting with a dot only matched by a pattern that starts with one, results sorted.
 */
final class IncludeGlob {

  private IncludeGlob() {}

  /** True when nginx would treat the include argument as a glob (it contains {@code *}, {@code ?} or {@code [}). */
  static boolean isGlob(String pattern) {
    return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
  }

  /** The regular files matching an absolute pattern, sorted by path; empty when nothing matches. */
  static List<Path> expand(Path absolutePattern) {
    List<Path> current = new ArrayList<>();
    current.add(absolutePattern.getRoot());
    int count = absolutePattern.getNameCount();
    for (int i = 0; i < count; i++) {
      String component = absolutePattern.getName(i).toString();
      boolean last = i == count - 1;
      List<Path> next = new ArrayList<>();
      for (Path dir : current) {
        next.addAll(step(dir, component, last));
      }
      current = next;
    }
    current.sort(Comparator.comparing(Path::toString));
    return current;
  }

  private static List<Path> step(Path dir, String component, boolean last) {
    List<Path> out = new ArrayList<>();
    if (!isGlob(component)) {
      Path p = dir.resolve(component);
      if (last ? Files.isRegularFile(p) : Files.isDirectory(p)) {
        out.add(p);
      }
      return out;
    }
    PathMatcher matcher = matcher(dir.getFileSystem(), component);
    boolean dotOk = component.startsWith(".");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Path name = entry.getFileName();
        if (!dotOk && name.toString().startsWith(".")) {
          continue;
        }
        if (matcher.matches(name) && (last ? Files.isRegularFile(entry) : Files.isDirectory(entry))) {
          out.add(entry);
        }
      }
    } catch (IOException e) {
      // glob(3) skips folders it cannot read; so do we.
      return out;
    }
    return out;
  }

  /**
   * The component as a Java glob. glob(3) takes a {@code [} with no closing {@code ]} as itself (POSIX XCU 2.13.1),
   * where Java's glob refuses the pattern with a PatternSyntaxException; such a component then names itself.
   */
  private static PathMatcher matcher(FileSystem fs, String component) {
    try {
      return fs.getPathMatcher("glob:" + escapeForJavaGlob(component));
    } catch (PatternSyntaxException e) {
      return name -> name.toString().equals(component);
    }
  }

  /** Java globs also give meaning to braces, which POSIX glob (without GLOB_BRACE) takes literally. */
  private static String escapeForJavaGlob(String component) {
    StringBuilder sb = new StringBuilder();
    for (char c : component.toCharArray()) {
      if (c == '{' || c == '}' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
