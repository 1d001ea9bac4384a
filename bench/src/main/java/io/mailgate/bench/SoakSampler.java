package io.mailgate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One row of the soak's resource table: the proxy's memory, descriptors and threads (from /proc and its Prometheus
 * scrape), the backend's processes, and the client's counts at that moment. The live heap is the heap used right
 * after a full collection asked for with {@code jcmd PID GC.run}: the only heap figure that can show a leak within
 * minutes (heap used between collections saws up and down, and G1 lets the old generation grow for a long time
 * before it marks).
 */
final class SoakSampler {

  /**
   * One sample; memory in MiB, NaN where not measured.
   *
   * @param seconds since the soak started
   * @param phase {@code before}, {@code ramp}, {@code warmup}, {@code steady}, {@code drain}, {@code after}
   * @param open client connections open
   * @param proxySessions the proxy's {@code mailgate_sessions_active}, all phases
   * @param heap heap used
   * @param heapLive heap used after a forced full GC (only in samples that forced one)
   * @param nettyDirect {@code mailgate_netty_direct_memory_used_bytes}
   * @param jvmDirect the JVM's direct buffer pool ({@code jvm_buffer_memory_used_bytes{id="direct"}})
   * @param rss VmRSS
   * @param hwm VmHWM
   * @param fds entries of /proc/PID/fd
   * @param threads the Threads line of /proc/PID/status
   * @param backendRss summed VmRSS of the backend's processes
   * @param backendProcs the backend's processes
   */
  record Sample(double seconds, String phase, int open, double proxySessions, double heap, double heapLive,
      double nettyDirect, double jvmDirect, double rss, double hwm, int fds, int threads, double backendRss,
      int backendProcs, long loginsOk, long rejected, long fetched, long appended, long abrupt, long unexpected,
      long mismatches) {

    static String header() {
      return String.format(Locale.ROOT, "%7s %-7s %6s %6s %8s %8s %8s %8s %8s %8s %6s %5s %8s %5s %8s %6s %7s %7s %6s %5s %5s",
          "t_s", "phase", "open", "mg_ses", "heap_mb", "live_mb", "netty_mb", "jdir_mb", "rss_mb", "hwm_mb", "fds",
          "thr", "be_rssmb", "be_pr", "logins", "rej", "fetch", "append", "abrupt", "unexp", "mism");
    }

    String row() {
      return String.format(Locale.ROOT,
          "%7.0f %-7s %6d %6.0f %8.1f %8s %8.1f %8.1f %8.1f %8.1f %6d %5d %8.0f %5d %8d %6d %7d %7d %6d %5d %5d",
          seconds, phase, open, proxySessions, heap, Double.isNaN(heapLive) ? "-" : String.format(Locale.ROOT, "%.1f",
              heapLive), nettyDirect, jvmDirect, rss, hwm, fds, threads, backendRss, backendProcs, loginsOk, rejected,
          fetched, appended, abrupt, unexpected, mismatches);
    }

    static String csvHeader() {
      return "t_s,phase,open,mg_sessions,heap_mb,heap_live_mb,netty_direct_mb,jvm_direct_mb,rss_mb,hwm_mb,fds,"
          + "threads,backend_rss_mb,backend_procs,logins_ok,rejected,fetch_verified,append_verified,abrupt,"
          + "unexpected,mismatches";
    }

    String csv() {
      return String.format(Locale.ROOT, "%.1f,%s,%d,%.0f,%.2f,%s,%.2f,%.2f,%.2f,%.2f,%d,%d,%.1f,%d,%d,%d,%d,%d,%d,%d,%d",
          seconds, phase, open, proxySessions, heap, Double.isNaN(heapLive) ? "" : String.format(Locale.ROOT, "%.2f",
              heapLive), nettyDirect, jvmDirect, rss, hwm, fds, threads, backendRss, backendProcs, loginsOk, rejected,
          fetched, appended, abrupt, unexpected, mismatches);
    }
  }

  private static final double MIB = 1024.0 * 1024.0;

  private final int pid;
  private final URI metrics;
  private final int backendMaster;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param pid the proxy's process
   * @param metrics its {@code /metrics} URL, or null
   * @param backendMaster the backend's master process (its children are summed), or 0
   */
  SoakSampler(int pid, URI metrics, int backendMaster) {
    this.pid = pid;
    this.metrics = metrics;
    this.backendMaster = backendMaster;
  }

  /** Takes one sample; with {@code forceGc}, first a full collection in the proxy (jcmd GC.run). */
  Sample sample(double seconds, String phase, SoakStats s, boolean forceGc) {
    boolean gcDone = forceGc && jcmdGc();
    Scrape m = scrape();
    long[] status = status(pid);
    long[] backend = backend();
    return new Sample(seconds, phase, s.open.get(), m.sessions, m.heap / MIB, gcDone ? m.heap / MIB : Double.NaN,
        m.nettyDirect / MIB, m.jvmDirect / MIB, status[0] / 1024.0, status[1] / 1024.0, fds(pid), (int) status[2],
        backend[0] / 1024.0, (int) backend[1], s.loginsOkTotal(), s.loginsRejectedAsExpected.sum(),
        s.fetchVerified.sum(), s.appendVerified.sum(), s.abruptTotal(), s.unexpected.sum(), s.fetchMismatch.sum());
  }

  private boolean jcmdGc() {
    try {
      Process p = new ProcessBuilder("jcmd", Integer.toString(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The figures read from the Prometheus text. */
  static final class Scrape {
    double heap = Double.NaN;
    double nettyDirect = Double.NaN;
    double jvmDirect = Double.NaN;
    double sessions = Double.NaN;
  }

  private Scrape scrape() {
    if (metrics == null) {
      return new Scrape();
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET()
          .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return parse(r.body());
    } catch (IOException e) {
      return new Scrape();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Scrape();
    }
  }

  /** Reads the four figures from a Prometheus text exposition. */
  static Scrape parse(String text) {
    Scrape s = new Scrape();
    double heap = 0;
    double sessions = 0;
    boolean sawHeap = false;
    boolean sawSessions = false;
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      double v;
      try {
        v = Double.parseDouble(line.substring(space + 1).trim());
      } catch (NumberFormatException e) {
        continue;
      }
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        heap += v;
        sawHeap = true;
      } else if (line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"")) {
        s.jvmDirect = v;
      } else if (line.startsWith("mailgate_netty_direct_memory_used_bytes")) {
        s.nettyDirect = v;
      } else if (line.startsWith("mailgate_sessions_active{")) {
        sessions += v;
        sawSessions = true;
      }
    }
    if (sawHeap) {
      s.heap = heap;
    }
    if (sawSessions) {
      s.sessions = sessions;
    }
    return s;
  }

  /** VmRSS and VmHWM in KiB and the thread count, from /proc/PID/status (zeros if it is gone). */
  static long[] status(int pid) {
    long[] out = new long[3];
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          out[0] = firstNumber(line);
        } else if (line.startsWith("VmHWM:")) {
          out[1] = firstNumber(line);
        } else if (line.startsWith("Threads:")) {
          out[2] = firstNumber(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone: zeros
    }
    return out;
  }

  /** Open descriptors of {@code pid} (-1 if unreadable). */
  static int fds(int pid) {
    int n = 0;
    try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "fd"))) {
      for (Path ignored : d) {
        n++;
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return n;
  }

  /** Summed VmRSS (KiB) and count of the backend master and its children. */
  private long[] backend() {
    long[] out = new long[2];
    if (backendMaster <= 0) {
      return out;
    }
    try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : d) {
        int child = Integer.parseInt(p.getFileName().toString());
        if (child == backendMaster || parent(p) == backendMaster) {
          out[0] += status(child)[0];
          out[1]++;
        }
      }
    } catch (IOException | RuntimeException e) {
      // partial figures are still figures
    }
    return out;
  }

  private static int parent(Path proc) {
    try {
      String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(f[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long firstNumber(String line) {
    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim().split("\\s+")[0]);
  }
}
