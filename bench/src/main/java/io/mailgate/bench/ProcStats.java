package io.mailgate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of a set of processes (the proxy under test), read from /proc, so that results can
 * be given per unit of work over exactly the measurement window.
 */
public final class ProcStats {

  /** Linux's USER_HZ on every architecture this runs on: /proc/PID/stat counts CPU time in these ticks. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final List<Integer> pids;

  private ProcStats(List<Integer> pids) {
    this.pids = pids;
  }

  /** Parses {@code "123,456"}; null or empty gives a set that measures nothing. */
  public static ProcStats of(String pidList) {
    List<Integer> pids = new ArrayList<>();
    if (pidList != null) {
      for (String p : pidList.split(",")) {
        if (!p.isBlank()) {
          pids.add(Integer.parseInt(p.trim()));
        }
      }
    }
    return new ProcStats(pids);
  }

  /** Whether any pid was given. */
  public boolean enabled() {
    return !pids.isEmpty();
  }

  /** User plus system CPU seconds of all the processes so far (NaN if none was given or one vanished). */
  public double cpuSeconds() {
    if (pids.isEmpty()) {
      return Double.NaN;
    }
    long ticks = 0;
    for (int pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.US_ASCII);
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        return Double.NaN;
      }
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** Summed resident set size in KiB (VmRSS), NaN if unavailable. */
  public double rssKib() {
    if (pids.isEmpty()) {
      return Double.NaN;
    }
    long kib = 0;
    for (int pid : pids) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            kib += Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
          }
        }
      } catch (IOException | RuntimeException e) {
        return Double.NaN;
      }
    }
    return kib;
  }

  /** This process's (the load generator's) user plus system CPU seconds so far, NaN if unknown. */
  public static double selfCpuSeconds() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      long nanos = sun.getProcessCpuTime();
      return nanos < 0 ? Double.NaN : nanos / 1e9;
    }
    return Double.NaN;
  }

  /**
   * CPU seconds the whole machine has been busy so far, all CPUs together (user, nice, system, irq and softirq of
   * /proc/stat; idle, iowait and steal, the hypervisor's time for other guests, left out), NaN if unreadable. Over a
   * window this is every process's work: proxy, load generator, backend, auth service and anything else running.
   */
  public static double machineBusySeconds() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7}) {
        busy += Long.parseLong(f[i]);
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** This process's soft limit on open files, -1 if unknown. */
  public static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return "unlimited".equals(soft) ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * How many ephemeral ports the kernel hands out ({@code net.ipv4.ip_local_port_range}), or -1 if unknown: one
   * source address can hold at most this many connections to one target.
   */
  public static long ephemeralPorts() {
    try {
      String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return Long.parseLong(range[1]) - Long.parseLong(range[0]) + 1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
