package io.mailgate.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Reads and adjusts a running process through Linux's {@code /proc} and {@code prlimit(1)}: its open descriptors, the
 * CPU time it has used, its descriptor limit. For the exhaustion tests, which watch a real {@code bin/mailgate}.
 */
public final class ProcessProbe {

  /** Clock ticks per second of {@code /proc/PID/stat}'s times (USER_HZ, 100 on every Linux ABI in use). */
  private static final int TICKS_PER_SECOND = 100;

  private final long pid;

  /** A probe of process {@code pid}. */
  public ProcessProbe(long pid) {
    this.pid = pid;
  }

  /** How many descriptors the process has open now. */
  public int openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return (int) fds.count();
    }
  }

  /**
   * Sets the process's soft {@code RLIMIT_NOFILE} to {@code n}; the hard limit stays, so a test may raise it again
   * without privilege.
   */
  public void limitDescriptors(int n) throws IOException, InterruptedException {
    MailgateProcess.Result r = MailgateProcess.run("prlimit", "--pid", Long.toString(pid), "--nofile=" + n + ":");
    if (r.exit() != 0) {
      throw new IOException("prlimit failed: " + r.output());
    }
  }

  /** User plus system CPU time used so far, in milliseconds. */
  public long cpuMillis() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): state is
    // field 3, utime 14 and stime 15 (proc(5)).
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** The CPU the process used over {@code millis} of wall time, as a fraction of one core. */
  public double cpuShareOver(int millis) throws IOException, InterruptedException {
    long before = cpuMillis();
    long start = System.nanoTime();
    Thread.sleep(millis);
    long wall = (System.nanoTime() - start) / 1_000_000;
    return (double) (cpuMillis() - before) / wall;
  }
}
