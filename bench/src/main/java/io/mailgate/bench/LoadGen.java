package io.mailgate.bench;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The load generator. One scenario per run; the result is one JSON line on stdout (idle also prints an
 * {@code "event":"established"} line first); progress and errors go to stderr.
 *
 * <pre>
 * java -cp mailgate-bench.jar io.mailgate.bench.LoadGen SCENARIO --target host:port [options]
 *   login-storm   --concurrency 50 --duration 20s [--warmup 2s]
 *   relay-fetch   --concurrency 4 --duration 20s [--warmup 2s] [--uid-fetch]
 *   relay-append  --concurrency 4 --duration 20s [--warmup 2s] [--message-size 1m] [--sync-literal]
 *   idle          --sessions 1000 --hold 10s [--ramp 100] [--ready-file PATH] [--sources 127.0.0.1,127.0.0.2]
 *   latency       --count 20000 [--warmup-count 2000] [--duration 60s]
 * common: --protocol imap|pop3|smtp  --auth login|plain|oauthbearer|xoauth2  --user U --password P --token T
 *         --login-form quoted|atom|literal|literal-plus  --sasl-ir on|off  --threads 1  --timeout 10s
 *         --tls [--tls-version 1.2|1.3] [--tls-resume] (implicit TLS; resume: offer an earlier connection's session)
 *         --pids PID[,PID...] (the proxy's processes: CPU seconds and RSS are reported)  --label TEXT
 * </pre>
 * Every run is bounded in time: the scenario's own limits, and a hard deadline that ends the process.
 */
public final class LoadGen {

  private LoadGen() {}

  /** Command-line entry point; see the class comment. */
  public static void main(String[] argv) {
    if (argv.length > 0 && "soak".equals(argv[0])) {
      // The soak has its own flags, deadline and verdict (bench/README.md, "Soak").
      Soak.main(java.util.Arrays.copyOfRange(argv, 1, argv.length));
      return;
    }
    Options o;
    try {
      o = options(Args.parse(argv));
    } catch (RuntimeException e) {
      System.err.println("loadgen: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    ScheduledExecutorService guard = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadgen-deadline");
      t.setDaemon(true);
      return t;
    });
    Duration limit = deadline(o);
    guard.schedule(() -> {
      System.err.println("loadgen: hard deadline of " + limit.toSeconds() + " s passed; stopping");
      System.out.println(o.header().put("error", "deadline").put("errors", 1));
      System.out.flush();
      Runtime.getRuntime().halt(4);
    }, limit.toMillis(), TimeUnit.MILLISECONDS);
    int status;
    try {
      Json result = run(o);
      System.out.println(result);
      System.out.flush();
      status = success(o, result) ? 0 : 1;
    } catch (IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
      System.err.println("loadgen: " + e.getMessage());
      System.out.println(o.header().put("error", e.getMessage()).put("errors", 1));
      status = 2;
    } catch (Exception e) {
      System.err.println("loadgen: " + e);
      System.out.println(o.header().put("error", e.toString()).put("errors", 1));
      status = 3;
    }
    System.out.flush();
    System.exit(status);
  }

  /** Runs the scenario {@code o} names and returns its result line. */
  public static Json run(Options o) throws Exception {
    switch (o.scenario()) {
      case "login-storm":
        return new LoginStorm(o).run();
      case "relay-fetch":
        if ("smtp".equals(o.spec().protocol())) {
          throw new IllegalArgumentException("relay-fetch needs --protocol imap or pop3");
        }
        return new Relay(o, false).run();
      case "relay-append":
        if (!"imap".equals(o.spec().protocol())) {
          throw new IllegalArgumentException("relay-append needs --protocol imap");
        }
        return new Relay(o, true).run();
      case "idle":
        return new Idle(o).run();
      case "latency":
        return new LatencyProbe(o).run();
      default:
        throw new IllegalArgumentException("unknown scenario " + o.scenario());
    }
  }

  /** Parses the command line into options, refusing unknown flags. */
  public static Options options(Args args) {
    if (args.positional().size() != 1) {
      throw new IllegalArgumentException("name exactly one scenario");
    }
    String scenario = args.positional().get(0);
    HostPort target = args.hostPort("target");
    if (target == null) {
      throw new IllegalArgumentException("--target host:port is required");
    }
    boolean relay = scenario.startsWith("relay-");
    LoginSpec spec = new LoginSpec(
        args.string("protocol", "imap"), args.string("auth", "login"), args.string("user", "bench@example.com"),
        args.string("password", "bench-password"), args.string("token", "bench-token"),
        args.string("login-form", "quoted"), args.bool("sasl-ir", true), relay && args.bool("select", true),
        args.bool("uid-fetch", false), args.bool("sync-literal", false), target.host(), target.port());
    int threads = args.integer("threads", 1);
    Duration timeout = args.duration("timeout", Duration.ofSeconds(10));
    Duration warmup = args.duration("warmup", Duration.ofSeconds(2));
    Duration duration = args.duration("duration", "latency".equals(scenario) ? Duration.ofSeconds(60)
        : Duration.ofSeconds(20));
    int concurrency = args.integer("concurrency", relay ? 4 : 50);
    int messageSize = Math.toIntExact(args.size("message-size", 1024 * 1024));
    int count = args.integer("count", 20000);
    int warmupCount = args.integer("warmup-count", count / 10);
    int sessions = args.integer("sessions", 1000);
    Duration hold = args.duration("hold", Duration.ofSeconds(10));
    int ramp = args.integer("ramp", 100);
    String ready = args.string("ready-file", null);
    ProcStats proxy = ProcStats.of(args.string("pids", null));
    String label = args.string("label", null);
    boolean tls = args.bool("tls", false);
    List<InetAddress> sources = sourceAddresses(args.string("sources", null));
    String tlsVersion = args.string("tls-version", null);
    boolean tlsResume = args.bool("tls-resume", false);
    args.rejectUnknown();
    if (tlsVersion != null && !tlsVersion.equals("1.2") && !tlsVersion.equals("1.3")) {
      throw new IllegalArgumentException("--tls-version takes 1.2 or 1.3");
    }
    if (!tls && (tlsVersion != null || tlsResume)) {
      throw new IllegalArgumentException("--tls-version and --tls-resume need --tls");
    }
    if (threads < 1 || concurrency < 1 || sessions < 1 || ramp < 1 || count < 1 || messageSize < 1) {
      throw new IllegalArgumentException("counts must be positive");
    }
    return new Options(scenario, target, spec, tls, threads, timeout, warmup, duration, concurrency, messageSize,
        count, warmupCount, sessions, hold, ramp, ready == null ? null : Path.of(ready), proxy, label, sources,
        tlsVersion, tlsResume);
  }

  /**
   * The {@code --sources} list: comma-separated IP literals (never names: nothing here waits for a lookup), e.g.
   * {@code 127.0.0.1,127.0.0.2}; none given, the kernel picks the source.
   */
  static List<InetAddress> sourceAddresses(String list) {
    List<InetAddress> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    for (String word : list.split(",")) {
      String w = word.trim();
      if (w.isEmpty()) {
        continue;
      }
      if (!NetUtil.isValidIpV4Address(w) && !NetUtil.isValidIpV6Address(w)) {
        throw new IllegalArgumentException("--sources takes IP addresses, not " + w);
      }
      out.add(NetUtil.createInetAddressFromIpAddressString(w));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--sources: no address given");
    }
    return List.copyOf(out);
  }

  /** A generous bound on the whole run, past which the process is stopped. */
  static Duration deadline(Options o) {
    Duration slack = o.timeout().multipliedBy(4).plusSeconds(30);
    switch (o.scenario()) {
      case "idle":
        return o.hold().plus(slack.multipliedBy(3)).plusMillis(o.sessions() * 40L).plusSeconds(60);
      case "latency":
        return o.duration().plus(slack);
      default:
        return o.warmup().plus(o.duration()).plus(slack);
    }
  }

  private static boolean success(Options o, Json result) {
    switch (o.scenario()) {
      case "login-storm":
        return result.number("sessions") > 0;
      case "idle":
        return result.number("established") > 0;
      case "latency":
        return result.number("measured") > 0;
      default:
        return result.number("operations") > 0;
    }
  }

  private static String usage() {
    return "usage: LoadGen login-storm|relay-fetch|relay-append|idle|latency --target host:port [options]\n"
        + "  see bench/README.md for every option";
  }
}
