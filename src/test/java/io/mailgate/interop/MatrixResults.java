package io.mailgate.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The matrix's results as the cases end: {@code results.tsv} (one row per case) and {@code versions.tsv} (each client's
 * and server's version) in {@code target/interop} (system property {@code interop.results}), which {@link MatrixTable}
 * prints. Each test JVM starts both files afresh, so a table never mixes two runs.
 */
final class MatrixResults {

  /** How a case ended. */
  enum Status { PASS, FAIL, SKIP }

  /** One case: which client, against which setup and listener, with which mechanism, doing what. */
  record Row(String client, String server, String endpoint, String mechanism, String scenario) {
    String line(Status status, String detail) {
      return String.join("\t", client, server, endpoint, mechanism, scenario, status.name(), oneLine(detail)) + "\n";
    }
  }

  static final String RESULTS = "results.tsv";
  static final String VERSIONS = "versions.tsv";

  private static final Path DIR = Path.of(System.getProperty("interop.results", "target/interop"));
  private static final Map<String, String> VERSIONS_SEEN = new LinkedHashMap<>();

  static {
    try {
      Files.createDirectories(DIR);
      Files.deleteIfExists(DIR.resolve(RESULTS));
      Files.deleteIfExists(DIR.resolve(VERSIONS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MatrixResults() {}

  static synchronized void record(Row row, Status status, String detail) {
    append(RESULTS, row.line(status, detail));
  }

  /** Notes {@code name}'s version once. */
  static synchronized void version(String name, String version) {
    if (VERSIONS_SEEN.putIfAbsent(name, version) == null) {
      append(VERSIONS, name + "\t" + oneLine(version) + "\n");
    }
  }

  private static void append(String file, String line) {
    try {
      Files.writeString(DIR.resolve(file), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.strip().lines().findFirst().orElse("").replace('\t', ' ');
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
