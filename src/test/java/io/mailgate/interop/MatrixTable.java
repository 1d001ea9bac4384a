package io.mailgate.interop;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints the interop matrix that the {@code *InteropIT} classes recorded: the versions of every client and server,
 * a client x server grid of passed/run cases, then one line per case (client, server, listener and mechanism,
 * scenario, result). Exits 1 when a case failed or nothing was recorded, so CI fails with it.
 *
 * <p>Usage: {@code java -cp target/test-classes io.mailgate.interop.MatrixTable [target/interop]}.
 */
public final class MatrixTable {

  private MatrixTable() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/interop");
    System.exit(print(dir, System.out) ? 0 : 1);
  }

  /** Prints the table; true when every case passed or was skipped with a reason, and there was at least one. */
  static boolean print(Path dir, PrintStream out) throws IOException {
    List<String[]> rows = read(dir.resolve(MatrixResults.RESULTS));
    out.println("Interop matrix: real clients through mailgate to real servers");
    for (String[] v : read(dir.resolve(MatrixResults.VERSIONS))) {
      out.printf("  %-28s %s%n", v[0], v.length > 1 ? v[1] : "");
    }
    if (rows.isEmpty()) {
      out.println("No results in " + dir + ": the matrix did not run.");
      return false;
    }
    Set<String> clients = new LinkedHashSet<>();
    Set<String> servers = new LinkedHashSet<>();
    Map<String, int[]> cells = new LinkedHashMap<>();
    for (String[] r : rows) {
      clients.add(r[0]);
      servers.add(r[1]);
      int[] cell = cells.computeIfAbsent(r[0] + "\t" + r[1], k -> new int[3]);
      cell[MatrixResults.Status.valueOf(r[5]).ordinal()]++;
    }
    out.println();
    out.println("passed/run per client and server (F: failed, S: skipped)");
    StringBuilder header = new StringBuilder(String.format("%-12s", "client"));
    for (String s : servers) {
      header.append(String.format(" %-22s", s));
    }
    out.println(header);
    for (String c : clients) {
      StringBuilder line = new StringBuilder(String.format("%-12s", c));
      for (String s : servers) {
        line.append(String.format(" %-22s", cell(cells.get(c + "\t" + s))));
      }
      out.println(line);
    }
    out.println();
    out.printf("%-12s %-22s %-26s %-16s %-6s %s%n", "client", "server", "listener/mechanism", "scenario", "result",
        "detail");
    int failed = 0;
    for (String[] r : rows) {
      out.printf("%-12s %-22s %-26s %-16s %-6s %s%n", r[0], r[1], r[2] + " " + r[3], r[4], r[5],
          r.length > 6 ? r[6] : "");
      if (r[5].equals(MatrixResults.Status.FAIL.name())) {
        failed++;
      }
    }
    out.println();
    out.println(rows.size() + " cases, " + failed + " failed");
    return failed == 0;
  }

  private static String cell(int[] counts) {
    if (counts == null) {
      return "-";
    }
    int run = counts[0] + counts[1];
    StringBuilder text = new StringBuilder(counts[0] + "/" + run);
    if (counts[1] > 0) {
      text.append(" F").append(counts[1]);
    }
    if (counts[2] > 0) {
      text.append(" S").append(counts[2]);
    }
    return text.toString();
  }

  private static List<String[]> read(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          rows.add(line.split("\t", -1));
        }
      }
    }
    return rows;
  }
}
