package io.mailgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak: holds {@code --sessions} IMAP sessions through the proxy to a real backend for {@code --duration},
 * most of them idlers in IDLE and {@code --workers} of them busy (FETCH, APPEND, NOOP, IDLE, see
 * {@link SoakSession}), every session replaced by a fresh one (new login, the next mechanism) when it ends, so logins,
 * logouts and abrupt closes go on all the time. Samples the proxy every 10 s ({@link SoakSampler}) and ends with a
 * verdict: see {@link Verdict}. Stdout gets the table, the summary and one JSON line; {@code --csv} a copy of the
 * samples.
 *
 * <pre>
 * java -cp mailgate-bench.jar io.mailgate.bench.LoadGen soak --target 127.0.0.1:PORT --seed-target 127.0.0.1:DOVECOT
 *     --users FILE --pid MAILGATE_PID [--metrics http://127.0.0.1:PORT/metrics] [--backend-pid DOVECOT_MASTER]
 *     [--sessions 10000] [--workers 16] [--duration 10m] [--warmup 2m] [--ramp 200] [--idle-hold 60s-240s]
 *     [--threads 2] [--timeout 60s] [--sample-every 10s] [--gc-every 6] [--csv FILE] [--seed N]
 * </pre>
 */
final class Soak implements SoakSession.Host {

  /** Settings; see the class comment for the flags. */
  record Settings(HostPort target, HostPort seedTarget, Path users, int pid, URI metrics, int backendPid,
      int sessions, int workers, Duration duration, Duration warmup, int ramp, Duration idleMin, Duration idleMax,
      int threads, Duration timeout, Duration sampleEvery, int gcEvery, Path csv, long seed, double badPassword,
      double abruptWorker, double abruptIdler) {

    static Settings parse(Args a) {
      HostPort target = a.hostPort("target");
      HostPort seedTarget = a.hostPort("seed-target");
      String users = a.string("users", null);
      if (target == null || seedTarget == null || users == null) {
        throw new IllegalArgumentException("soak needs --target, --seed-target and --users");
      }
      String hold = a.string("idle-hold", "60s-240s");
      int dash = hold.indexOf('-');
      Duration idleMin = Args.parseDuration(dash < 0 ? hold : hold.substring(0, dash));
      Duration idleMax = dash < 0 ? idleMin : Args.parseDuration(hold.substring(dash + 1));
      String metrics = a.string("metrics", null);
      String csv = a.string("csv", null);
      Settings s = new Settings(target, seedTarget, Path.of(users), a.integer("pid", 0),
          metrics == null ? null : URI.create(metrics), a.integer("backend-pid", 0), a.integer("sessions", 10_000),
          a.integer("workers", 16), a.duration("duration", Duration.ofMinutes(10)),
          a.duration("warmup", Duration.ofMinutes(2)), a.integer("ramp", 200), idleMin, idleMax,
          a.integer("threads", 2), a.duration("timeout", Duration.ofSeconds(60)),
          a.duration("sample-every", Duration.ofSeconds(10)), a.integer("gc-every", 6),
          csv == null ? null : Path.of(csv), Long.parseLong(a.string("seed", "20261207")),
          Double.parseDouble(a.string("bad-password", "0.03")), Double.parseDouble(a.string("abrupt", "0.15")),
          Double.parseDouble(a.string("abrupt-idle", "0.25")));
      a.rejectUnknown();
      if (s.sessions < 1 || s.workers < 1 || s.workers > s.sessions || s.ramp < 1 || s.threads < 1
          || s.idleMax.compareTo(s.idleMin) < 0 || s.gcEvery < 0) {
        throw new IllegalArgumentException("soak: bad counts (sessions >= workers >= 1, ramp, threads, idle-hold)");
      }
      return s;
    }
  }

  private enum Phase { BEFORE, RAMP, WARMUP, STEADY, DRAIN, AFTER }

  private final Settings s;
  private final PrintStream out;
  private final SoakStats stats = new SoakStats();
  private final Set<SoakSession> live = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Boolean> toStart = new ConcurrentLinkedQueue<>();
  private final AtomicInteger loginsInFlight = new AtomicInteger();
  private final AtomicLong planCount = new AtomicLong();
  /** Sessions of the initial ramp not yet started. */
  private final AtomicInteger initialLeft = new AtomicInteger();
  private final List<SoakSampler.Sample> samples = new ArrayList<>();
  private final long t0 = System.nanoTime();
  private volatile Phase phase = Phase.BEFORE;
  private volatile boolean stopping;
  private Map<String, List<SoakSeeder.Stored>> stored;
  private SoakAccounts accounts;
  private EventLoopGroup group;
  private Bootstrap bootstrap;

  Soak(Settings s, PrintStream out) {
    this.s = s;
    this.out = out;
  }

  /** Command-line entry point (through LoadGen): exit 0 on a pass, 1 on a fail, 2 on bad usage. */
  static void main(String[] argv) {
    Settings settings;
    try {
      Args a = Args.parse(argv);
      settings = Settings.parse(a);
    } catch (RuntimeException e) {
      System.err.println("soak: " + e.getMessage());
      System.exit(2);
      return;
    }
    // A bound on the whole run: seeding, ramp, window, drain; far above what a healthy run takes.
    long limit = settings.duration().toMillis() + Duration.ofMinutes(25).toMillis();
    Thread guard = new Thread(() -> {
      try {
        Thread.sleep(limit);
        System.out.println("soak: hard deadline passed; FAIL");
        System.out.flush();
        Runtime.getRuntime().halt(4);
      } catch (InterruptedException e) {
        // normal end
      }
    }, "soak-deadline");
    guard.setDaemon(true);
    guard.start();
    int status;
    try {
      status = new Soak(settings, System.out).run().passed() ? 0 : 1;
    } catch (Exception e) {
      System.out.println("soak: " + e + "; FAIL");
      e.printStackTrace();
      status = 3;
    }
    System.out.flush();
    System.exit(status);
  }

  Verdict run() throws Exception {
    Idle.checkFileLimit(s.sessions());
    accounts = SoakAccounts.read(s.users());
    out.printf("soak: seeding %d mailboxes at %s%n", accounts.size(), s.seedTarget());
    long seedStart = System.nanoTime();
    stored = SoakSeeder.seed(s.seedTarget(), accounts, 4, s.seed());
    long seededBytes = stored.values().stream().flatMap(List::stream).mapToLong(SoakSeeder.Stored::size).sum();
    out.printf("soak: seeded %d messages, %.1f MiB, in %.1f s%n",
        stored.values().stream().mapToInt(List::size).sum(), seededBytes / 1048576.0, seconds(seedStart));
    SoakSampler sampler = new SoakSampler(s.pid(), s.metrics(), s.backendPid());
    group = Net.group(s.threads(), "soak");
    bootstrap = new Bootstrap().group(group).channel(Net.clientChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(30_000, s.timeout().toMillis()))
        .option(ChannelOption.RECVBUF_ALLOCATOR, Net.recvAllocator());
    out.println(SoakSampler.Sample.header());
    Path csv = s.csv();
    if (csv != null) {
      Files.writeString(csv, SoakSampler.Sample.csvHeader() + "\n", StandardCharsets.UTF_8);
    }
    // --gc-every 0: never force a collection (the live heap is then not measured and its check fails).
    boolean gcs = s.gcEvery() > 0;
    try {
      sample(sampler, gcs);
      phase = Phase.RAMP;
      initialLeft.set(s.sessions());
      for (int i = 0; i < s.sessions(); i++) {
        // Workers first: they start the traffic while the idlers pile up.
        toStart.add(i >= s.workers());
      }
      pump();
      long rampStart = System.nanoTime();
      long nextSample = System.nanoTime() + s.sampleEvery().toNanos();
      int sampleNo = 1;
      long rampLimit = Duration.ofMinutes(10).toNanos();
      // Done when every session is open, or when every slot has started once, no login is in flight and at most
      // the workers' slots are between two sessions (a worker's session is short, so all N are rarely open at once).
      int maxOpen = 0;
      while (System.nanoTime() - rampStart < rampLimit) {
        int open = stats.open.get();
        maxOpen = Math.max(maxOpen, open);
        if (open >= s.sessions() || initialLeft.get() == 0 && loginsInFlight.get() == 0
            && open >= s.sessions() - s.workers()) {
          break;
        }
        Thread.sleep(100);
        if (System.nanoTime() >= nextSample) {
          sample(sampler, gcs && ++sampleNo % s.gcEvery() == 0);
          nextSample += s.sampleEvery().toNanos();
        }
      }
      double rampSeconds = seconds(rampStart);
      int reached = stats.open.get();
      out.printf("soak: %d of %d sessions open after %.1f s of ramp%n", reached, s.sessions(), rampSeconds);
      long windowStart = System.nanoTime();
      long warmEnd = windowStart + s.warmup().toNanos();
      long windowEnd = windowStart + s.duration().toNanos();
      phase = Phase.WARMUP;
      int minOpen = Integer.MAX_VALUE;
      while (System.nanoTime() < windowEnd) {
        Thread.sleep(100);
        maxOpen = Math.max(maxOpen, stats.open.get());
        if (phase == Phase.WARMUP && System.nanoTime() >= warmEnd) {
          phase = Phase.STEADY;
        }
        if (System.nanoTime() >= nextSample) {
          SoakSampler.Sample x = sample(sampler, gcs && ++sampleNo % s.gcEvery() == 0);
          minOpen = Math.min(minOpen, x.open());
          nextSample += s.sampleEvery().toNanos();
        }
      }
      // One more steady sample with a forced GC, so the live heap at the end of the window is measured.
      phase = Phase.STEADY;
      sample(sampler, gcs);
      phase = Phase.DRAIN;
      stopping = true;
      toStart.clear();
      for (SoakSession x : live) {
        x.channelLoop(x::stop);
      }
      long drainStart = System.nanoTime();
      while (!live.isEmpty() && System.nanoTime() - drainStart < Duration.ofSeconds(90).toNanos()) {
        Thread.sleep(100);
      }
      int leftOpen = live.size();
      out.printf("soak: drained in %.1f s, %d sessions still open%n", seconds(drainStart), leftOpen);
      // The proxy closes its backend side after the client's; give it a moment, then the closing samples.
      // Then the closing samples: one soon after, one once the auth_http pool's idle connections have expired
      // (30 s), when the descriptors must be back where they started.
      long settle = Math.min(5_000, s.sampleEvery().toMillis());
      Thread.sleep(settle);
      phase = Phase.AFTER;
      sample(sampler, gcs);
      Thread.sleep(Math.min(35_000, s.sampleEvery().toMillis() * 7 / 2));
      sample(sampler, false);
      Verdict v = Verdict.judge(samples, stats, s.sessions(), s.workers(), maxOpen, leftOpen, minOpen);
      report(v, rampSeconds, seededBytes);
      return v;
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private SoakSampler.Sample sample(SoakSampler sampler, boolean gc) throws IOException {
    SoakSampler.Sample x = sampler.sample(seconds(t0), phase.name().toLowerCase(java.util.Locale.ROOT), stats, gc);
    synchronized (samples) {
      samples.add(x);
    }
    out.println(x.row());
    out.flush();
    if (s.csv() != null) {
      Files.writeString(s.csv(), x.csv() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
    return x;
  }

  private void report(Verdict v, double rampSeconds, long seededBytes) {
    out.println();
    out.println("soak: logins ok by mechanism: " + stats.loginsOk);
    out.printf("soak: connects %d, wrong passwords refused %d, fetches verified %d (%.1f MiB), appends verified %d "
            + "(%.1f MiB), largest message %d bytes, IDLEs %d, NOOPs %d, logouts %d%n", stats.connects.sum(),
        stats.loginsRejectedAsExpected.sum(), stats.fetchVerified.sum(), stats.fetchBytes.sum() / 1048576.0,
        stats.appendVerified.sum(), stats.appendBytes.sum() / 1048576.0, stats.largestMoved(), stats.idles.sum(),
        stats.noops.sum(), stats.logouts.sum());
    out.println("soak: abrupt closes by kind: " + stats.abrupt);
    out.printf("soak: mismatches %d, appends not found %d, unexpected errors %d%n", stats.fetchMismatch.sum(),
        stats.appendMissing.sum(), stats.unexpected.sum());
    stats.reasons().forEach((k, n) -> out.println("soak:   unexpected x" + n + ": " + k));
    for (String line : v.lines()) {
      out.println("soak: " + line);
    }
    out.println("soak: " + (v.passed() ? "PASS" : "FAIL"));
    Json j = new Json().put("scenario", "soak").put("sessions", s.sessions()).put("workers", s.workers())
        .put("duration_s", s.duration().toSeconds()).put("warmup_s", s.warmup().toSeconds())
        .put("ramp_s", rampSeconds).put("seeded_mib", seededBytes / 1048576.0)
        .put("connects", stats.connects.sum()).put("logins_ok", stats.loginsOkTotal())
        .put("rejected_as_expected", stats.loginsRejectedAsExpected.sum())
        .put("fetch_verified", stats.fetchVerified.sum()).put("fetch_mib", stats.fetchBytes.sum() / 1048576.0)
        .put("append_verified", stats.appendVerified.sum()).put("append_mib", stats.appendBytes.sum() / 1048576.0)
        .put("largest_bytes", stats.largestMoved()).put("idles", stats.idles.sum()).put("abrupt", stats.abruptTotal())
        .put("mismatches", stats.fetchMismatch.sum()).put("append_missing", stats.appendMissing.sum())
        .put("unexpected", stats.unexpected.sum()).put("pass", v.passed());
    for (SoakSession.Mech m : SoakSession.Mech.values()) {
      j.put("login_" + m.name().toLowerCase(java.util.Locale.ROOT), stats.loginsOk.get(m).sum());
    }
    out.println(j);
    out.flush();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** Starts queued sessions while fewer than {@code --ramp} logins are in flight. */
  private void pump() {
    while (true) {
      int f = loginsInFlight.get();
      if (f >= s.ramp() || toStart.isEmpty() || stopping) {
        return;
      }
      if (!loginsInFlight.compareAndSet(f, f + 1)) {
        continue;
      }
      Boolean idler = toStart.poll();
      if (idler == null) {
        loginsInFlight.decrementAndGet();
        return;
      }
      if (phase == Phase.RAMP) {
        initialLeft.updateAndGet(n -> Math.max(0, n - 1));
      }
      connect(plan(idler));
    }
  }

  private void connect(SoakSession.Plan plan) {
    SoakSession session = new SoakSession(plan, this, s.timeout().toMillis());
    live.add(session);
    bootstrap.clone().handler(session).connect(s.target().address()).addListener(f -> {
      if (!f.isSuccess()) {
        session.channelLoop(() -> session.connectFailed(f.cause()));
      }
    });
  }

  /** The next session's plan: every mechanism in turn, the rest drawn from the run's seed. */
  SoakSession.Plan plan(boolean idler) {
    long n = planCount.getAndIncrement();
    SplittableRandom r = new SplittableRandom(s.seed() * 1_000_003L + n);
    SoakSession.Mech[] mechs = SoakSession.Mech.values();
    SoakSession.Mech mech = mechs[(int) (n % mechs.length)];
    SoakAccounts.Account account = accounts.get(r.nextInt(accounts.size()));
    if (idler) {
      long hold = s.idleMin().toMillis() + (long) (r.nextDouble() * (s.idleMax().toMillis() - s.idleMin().toMillis()));
      double p = r.nextDouble();
      SoakSession.Abrupt abrupt = p < 0.02 ? SoakSession.Abrupt.AFTER_LOGIN
          : p < 0.02 + s.abruptIdler() ? SoakSession.Abrupt.IN_LONG_IDLE : SoakSession.Abrupt.NONE;
      return new SoakSession.Plan(true, account, mech, false, List.of(), abrupt, hold, r.nextLong(), false);
    }
    boolean bad = mech.hasPassword() && r.nextDouble() < s.badPassword();
    List<SoakSession.Op> ops = new ArrayList<>();
    int count = 2 + r.nextInt(7);
    for (int i = 0; i < count; i++) {
      double p = r.nextDouble();
      ops.add(p < 0.40 ? SoakSession.Op.FETCH : p < 0.70 ? SoakSession.Op.APPEND : p < 0.85 ? SoakSession.Op.NOOP
          : SoakSession.Op.IDLE);
    }
    SoakSession.Abrupt abrupt = SoakSession.Abrupt.NONE;
    if (r.nextDouble() < s.abruptWorker()) {
      SoakSession.Abrupt[] kinds = {SoakSession.Abrupt.AFTER_LOGIN, SoakSession.Abrupt.MID_FETCH,
          SoakSession.Abrupt.MID_APPEND, SoakSession.Abrupt.IN_IDLE};
      abrupt = kinds[r.nextInt(kinds.length)];
      // The last command is the one the session leaves in the middle of.
      switch (abrupt) {
        case MID_FETCH -> ops.set(ops.size() - 1, SoakSession.Op.FETCH);
        case MID_APPEND -> ops.set(ops.size() - 1, SoakSession.Op.APPEND);
        case IN_IDLE -> ops.set(ops.size() - 1, SoakSession.Op.IDLE);
        default -> { }
      }
    }
    long shortIdle = 300 + r.nextInt(1700);
    return new SoakSession.Plan(false, account, mech, bad, List.copyOf(ops), abrupt, shortIdle, r.nextLong(),
        r.nextBoolean());
  }

  @Override
  public SoakStats stats() {
    return stats;
  }

  @Override
  public List<SoakSeeder.Stored> stored(String user) {
    return stored.get(user);
  }

  @Override
  public int appendSize(SplittableRandom r) {
    double p = r.nextDouble();
    if (p < 0.01) {
      return 10 * 1024 * 1024;
    } else if (p < 0.55) {
      return 500 + r.nextInt(20 * 1024);
    } else if (p < 0.85) {
      return 20 * 1024 + r.nextInt(492 * 1024);
    } else if (p < 0.97) {
      return 512 * 1024 + r.nextInt(3584 * 1024);
    }
    return 4 * 1024 * 1024 + r.nextInt(6 * 1024 * 1024 + 1);
  }

  @Override
  public boolean stopping() {
    return stopping;
  }

  @Override
  public void loginSettled(SoakSession session) {
    loginsInFlight.decrementAndGet();
    pump();
  }

  @Override
  public void ended(SoakSession session) {
    live.remove(session);
    if (!stopping) {
      // The slot lives on: a fresh session of the same kind, after a short pause.
      toStart.add(session.plan().idler());
      group.schedule(this::pump, 50 + (session.hashCode() & 255), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The pass/fail judgement. Correctness: no FETCH or read-back differed from what was stored, every APPEND was
   * found, no unexpected error, every mechanism logged in, every kind of abrupt close happened, the sessions were
   * held (all but the workers' slots, which churn, open at once). Flatness, over the steady part of the window
   * (after the warm-up): RSS, Netty's direct memory and the live heap of the last third no higher than in the first third by more than 10% (direct and live heap: plus 16 MiB,
   * about one 10 MiB transfer in flight); descriptors minus two per open session, median of the last third within 1%
   * of the sessions (+50) of the first third's; threads within 2; after the drain, descriptors back within 50 of the
   * start.
   */
  record Verdict(boolean passed, List<String> lines) {

    static Verdict judge(List<SoakSampler.Sample> all, SoakStats stats, int sessions, int workers, int maxOpen,
        int leftOpen, int minOpen) {
      List<String> lines = new ArrayList<>();
      boolean ok = true;
      ok &= check(lines, "the sessions were held (at least sessions - workers open at once)",
          maxOpen >= sessions - workers, "at most " + maxOpen + " of " + sessions + " open");
      ok &= check(lines, "no fetched message differed", stats.fetchMismatch.sum() == 0,
          stats.fetchMismatch.sum() + " mismatches in " + stats.fetchVerified.sum() + " verified");
      ok &= check(lines, "every appended message found", stats.appendMissing.sum() == 0,
          stats.appendMissing.sum() + " missing of " + (stats.appendVerified.sum() + stats.appendMissing.sum()));
      ok &= check(lines, "no unexpected error", stats.unexpected.sum() == 0, stats.unexpected.sum() + " errors");
      ok &= check(lines, "fetches and appends verified", stats.fetchVerified.sum() > 0 && stats.appendVerified.sum() > 0,
          stats.fetchVerified.sum() + " and " + stats.appendVerified.sum());
      boolean allMechs = stats.loginsOk.values().stream().allMatch(a -> a.sum() > 0);
      ok &= check(lines, "every mechanism logged in", allMechs, stats.loginsOk.toString());
      boolean allAbrupt = stats.abrupt.entrySet().stream()
          .allMatch(e -> e.getKey() == SoakSession.Abrupt.NONE || e.getValue().sum() > 0);
      ok &= check(lines, "every kind of abrupt close happened", allAbrupt, stats.abrupt.toString());
      ok &= check(lines, "all sessions ended at the drain", leftOpen == 0, leftOpen + " left");
      List<SoakSampler.Sample> steady = all.stream().filter(x -> x.phase().equals("steady")).toList();
      if (steady.size() < 6) {
        lines.add("FAIL flatness: only " + steady.size() + " steady samples (need 6: a longer --duration)");
        return new Verdict(false, lines);
      }
      int third = steady.size() / 3;
      List<SoakSampler.Sample> first = steady.subList(0, third);
      List<SoakSampler.Sample> last = steady.subList(steady.size() - third, steady.size());
      ok &= flat(lines, "RSS (MiB)", max(first, SoakSampler.Sample::rss), max(last, SoakSampler.Sample::rss), 0);
      ok &= flat(lines, "Netty direct memory (MiB)", max(first, SoakSampler.Sample::nettyDirect),
          max(last, SoakSampler.Sample::nettyDirect), 16);
      List<SoakSampler.Sample> live = steady.stream().filter(x -> !Double.isNaN(x.heapLive())).toList();
      if (live.size() >= 2) {
        ok &= flat(lines, "live heap after GC (MiB)", live.get(0).heapLive(), live.get(live.size() - 1).heapLive(),
            16);
      } else {
        lines.add("FAIL live heap: fewer than two forced-GC samples in the steady window");
        ok = false;
      }
      // Descriptors beyond two per open session: while logins are in progress a session holds only its client
      // connection, so this dips with the login rate (and the machine's load); a leak makes it climb. Judged by the
      // medians of the first and last thirds, which a burst of logins does not move.
      double[] firstExcess = first.stream().mapToDouble(x -> x.fds() - 2.0 * x.open()).sorted().toArray();
      double[] lastExcess = last.stream().mapToDouble(x -> x.fds() - 2.0 * x.open()).sorted().toArray();
      double band = sessions * 0.01 + 50;
      double medianFirst = firstExcess[firstExcess.length / 2];
      double medianLast = lastExcess[lastExcess.length / 2];
      int minThreads = Integer.MAX_VALUE;
      int maxThreads = 0;
      for (SoakSampler.Sample x : steady) {
        minThreads = Math.min(minThreads, x.threads());
        maxThreads = Math.max(maxThreads, x.threads());
      }
      ok &= check(lines, "descriptors flat (median of fds - 2 x open, first vs last third, within " + (long) band
          + ")", Math.abs(medianLast - medianFirst) <= band, String.format(java.util.Locale.ROOT,
              "%.0f and %.0f (range over the window %.0f to %.0f)", medianFirst, medianLast,
              Math.min(firstExcess[0], lastExcess[0]), Math.max(firstExcess[firstExcess.length - 1],
                  lastExcess[lastExcess.length - 1])));
      ok &= check(lines, "threads constant (within 2)", maxThreads - minThreads <= 2,
          minThreads + " to " + maxThreads);
      SoakSampler.Sample before = all.get(0);
      SoakSampler.Sample after = all.get(all.size() - 1);
      ok &= check(lines, "descriptors released after the drain (within 50 of the start)",
          after.fds() <= before.fds() + 50, before.fds() + " at the start, " + after.fds() + " at the end");
      lines.add(String.format(java.util.Locale.ROOT, "info: lowest open sessions during the window %d", minOpen));
      return new Verdict(ok, lines);
    }

    private static boolean check(List<String> lines, String what, boolean ok, String detail) {
      lines.add((ok ? "ok   " : "FAIL ") + what + ": " + detail);
      return ok;
    }

    private static boolean flat(List<String> lines, String what, double first, double last, double slackMib) {
      double bound = first * 1.10 + slackMib;
      return check(lines, what + " flat", !Double.isNaN(first) && !Double.isNaN(last) && last <= bound,
          String.format(java.util.Locale.ROOT, "first third max %.1f, last third max %.1f, bound %.1f", first, last,
              bound));
    }

    private static double max(List<SoakSampler.Sample> xs, java.util.function.ToDoubleFunction<SoakSampler.Sample> f) {
      return xs.stream().mapToDouble(f).max().orElse(Double.NaN);
    }
  }
}
