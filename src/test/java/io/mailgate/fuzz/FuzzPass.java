package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Fuzzes {@code @FuzzTest} targets for a while each, one JVM per target: libFuzzer runs once per process, so a JVM
 * that fuzzed one target cannot fuzz the next. {@code mvn verify} runs every target for a few seconds
 * ({@code fuzz-short}, after the corpus replay of {@code fuzz-regression}); {@code fuzz/run-fuzz.sh} runs them longer.
 *
 * <p>Usage: {@code FuzzPass [--list] [all|Class|Class#method] [seconds]}, with the test class path; the JVM options for
 * each target's JVM come from the system property {@code fuzz.jvmArgs} (space-separated). Each target's output goes to
 * {@code target/fuzz-logs/<Class>.<method>.log}; one line per target gives libFuzzer's executions. A finding (an
 * exception, a failed property, a timeout or an out-of-memory in the target) fails the run with a message naming the
 * input Jazzer saved (in the target's seed folder, so every later build replays it).
 */
class FuzzPass {

  /**
   * Coverage is tracked in mailgate and in the libraries whose parsing it relies on. Without an explicit list Jazzer
   * under a launcher instruments the test class only (91 edges against 734 in 30 s for the IMAP parser).
   */
  static final String INSTRUMENT = "io.mailgate.**:com.nimbusds.**:io.netty.handler.codec.dns.**";
  private static final Path TEST_CLASSES = Path.of("target/test-classes");
  private static final Path LOGS = Path.of("target/fuzz-logs");
  /** Up to this many seconds per target a run is short: its JVMs are tuned to start rather than to run long. */
  private static final int SHORT_RUN_SECONDS = 30;
  /** Room for JVM start-up, Jazzer's instrumentation and libFuzzer's shutdown beyond the fuzzing time. */
  private static final Duration GRACE = Duration.ofSeconds(300);
  private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");
  /** libFuzzer's line naming the input it saved for a finding. */
  /** The child's line naming what the target threw. */
  private static final String FINDING = "FuzzPass finding: ";
  private static final Pattern SAVED = Pattern.compile("Test unit written to (\\S+)");

  /**
   * The build's short pass (surefire execution {@code fuzz}): the targets of {@code fuzz.selection} (all), each for
   * {@code fuzz.seconds}. Fails naming every finding.
   */
  @Test
  void everyTargetFuzzesForAWhileWithoutAFinding() throws Exception {
    List<Target> targets = select(discover(), System.getProperty("fuzz.selection", "all"));
    if (Boolean.getBoolean("fuzz.list")) {
      targets.forEach(t -> System.out.println(t.simpleName()));
      return;
    }
    assertThat(targets).as("@FuzzTest targets under " + TEST_CLASSES.toAbsolutePath()).isNotEmpty();
    List<Outcome> findings = fuzzAll(targets, Integer.getInteger("fuzz.seconds", 4)).stream()
        .filter(o -> !o.passed()).toList();
    assertThat(findings).as(() -> findings.stream().map(f -> "FINDING in " + f.target().simpleName() + ": "
        + f.detail()).collect(Collectors.joining("\n"))).isEmpty();
  }

  /** One {@code @FuzzTest} method. */
  record Target(String className, String method, String parameterTypes) {
    String simpleName() {
      return className.substring(className.lastIndexOf('.') + 1) + "#" + method;
    }

    /** Jazzer's seed folder of the target, replayed by the fuzz-regression execution. */
    Path seedDir() {
      int dot = className.lastIndexOf('.');
      return Path.of("src/test/resources", className.substring(0, dot).replace('.', '/'),
          className.substring(dot + 1) + "Inputs", method);
    }

    Path log() {
      return LOGS.resolve(className.substring(className.lastIndexOf('.') + 1) + "." + method + ".log");
    }
  }

  /** How one target's run ended. */
  record Outcome(Target target, boolean passed, long runs, String detail) {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      System.exit(runInThisJvm(args[1], args[2], args[3]));
    }
    boolean list = args.length > 0 && args[0].equals("--list");
    List<String> rest = Arrays.asList(args).subList(list ? 1 : 0, args.length);
    String selection = rest.isEmpty() ? "all" : rest.get(0);
    List<Target> targets = select(discover(), selection);
    if (list) {
      targets.forEach(t -> System.out.println(t.simpleName()));
      return;
    }
    if (targets.isEmpty()) {
      System.err.println("no @FuzzTest target matches '" + selection + "' (see --list)");
      System.exit(2);
    }
    int seconds = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 60;
    System.exit(fuzzAll(targets, seconds).stream().allMatch(Outcome::passed) ? 0 : 1);
  }

  /** Every {@code @FuzzTest} method of the compiled test classes, by class and method name. */
  static List<Target> discover() throws IOException, ClassNotFoundException {
    List<Target> targets = new ArrayList<>();
    try (Stream<Path> files = Files.walk(TEST_CLASSES)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith("FuzzTest.class")).toList()) {
        String name = TEST_CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        for (Method m : Class.forName(name, false, FuzzPass.class.getClassLoader()).getDeclaredMethods()) {
          if (m.isAnnotationPresent(FuzzTest.class) && !Modifier.isStatic(m.getModifiers())) {
            targets.add(new Target(name, m.getName(), Arrays.stream(m.getParameterTypes()).map(Class::getName)
                .collect(Collectors.joining(","))));
          }
        }
      }
    }
    targets.sort(Comparator.comparing(Target::simpleName));
    return targets;
  }

  /** {@code all}, a class's simple name (all its targets) or {@code Class#method}. */
  static List<Target> select(List<Target> all, String selection) {
    if (selection.equals("all")) {
      return all;
    }
    return all.stream().filter(t -> selection.contains("#") ? t.simpleName().equals(selection)
        : t.simpleName().startsWith(selection + "#")).toList();
  }

  /**
   * The targets, {@code fuzz.jobs} at a time (0, the default: one per core, at most two; a fuzzing JVM keeps one core
   * busy, and more at once would crowd out a developer's other work); prints one line per target as it ends, then
   * the findings.
   */
  private static List<Outcome> fuzzAll(List<Target> targets, int seconds) throws Exception {
    Files.createDirectories(LOGS);
    int jobs = Integer.getInteger("fuzz.jobs", 0);
    if (jobs <= 0) {
      jobs = Math.min(2, Runtime.getRuntime().availableProcessors());
    }
    long start = System.nanoTime();
    System.out.printf("fuzzing %d targets, %d s each, one JVM each, %d at a time (logs: %s)%n", targets.size(),
        seconds, jobs, LOGS);
    ExecutorService pool = Executors.newFixedThreadPool(jobs);
    List<Outcome> outcomes = new ArrayList<>();
    try {
      List<Future<Outcome>> running = new ArrayList<>();
      for (Target target : targets) {
        running.add(pool.submit(() -> {
          long began = System.nanoTime();
          Outcome outcome = fuzz(target, seconds);
          System.out.printf("  %-68s %9d runs %4d s  %s%n", target.simpleName(), outcome.runs(),
              TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began), outcome.passed() ? "ok" : "FINDING");
          return outcome;
        }));
      }
      for (Future<Outcome> f : running) {
        outcomes.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    List<Outcome> findings = outcomes.stream().filter(o -> !o.passed()).toList();
    System.out.printf("fuzzed %d targets in %d s: %d runs, %d findings%n", outcomes.size(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), outcomes.stream().mapToLong(Outcome::runs).sum(),
        findings.size());
    for (Outcome f : findings) {
      System.out.println("FINDING in " + f.target().simpleName() + ": " + f.detail());
    }
    return outcomes;
  }

  /** One target in a JVM of its own, fuzzing for {@code seconds}. */
  private static Outcome fuzz(Target target, int seconds) throws Exception {
    Set<Path> artifactsBefore = artifacts(target);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : System.getProperty("fuzz.jvmArgs", "").trim().split("\\s+")) {
      if (!arg.isEmpty()) {
        command.add(arg);
      }
    }
    if (seconds <= SHORT_RUN_SECONDS) {
      // A short run spends most of its time starting (Jazzer's agent and hooks, then instrumentation): C1 alone and
      // the serial collector halve the CPU that takes (15 s against 29 s measured), and a few seconds of fuzzing do
      // not need C2's faster code.
      command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    }
    // jazzer.internal.arg.N are libFuzzer's arguments (0 is its argv[0]); -max_total_time overrides the annotation's
    // maxDuration. JUnit reads the jazzer.* configuration parameters from system properties.
    command.addAll(List.of("-Djazzer.instrumentation_includes=" + INSTRUMENT, "-Djazzer.internal.arg.0=jazzer",
        "-Djazzer.internal.arg.1=-max_total_time=" + seconds, "-cp", System.getProperty("java.class.path"),
        FuzzPass.class.getName(), "--child", target.className(), target.method(), target.parameterTypes()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAZZER_FUZZ", "1");
    Process process = builder.start();
    Thread copier = copyWithTimes(process, target.log(), "JAZZER_FUZZ=1 " + String.join(" ", command));
    boolean ended = process.waitFor(seconds + GRACE.toSeconds(), TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly().waitFor();
    }
    copier.join(10_000);
    String log = Files.readString(target.log(), StandardCharsets.ISO_8859_1);
    Matcher done = DONE.matcher(log);
    long runs = 0;
    while (done.find()) {
      runs = Long.parseLong(done.group(1));
    }
    if (ended && process.exitValue() == 0) {
      return new Outcome(target, true, runs, "");
    }
    Set<Path> saved = new TreeSet<>(artifacts(target));
    saved.removeAll(artifactsBefore);
    Matcher written = SAVED.matcher(log);
    while (written.find()) {
      saved.add(Path.of(written.group(1)));
    }
    String why = !ended ? "the target's JVM did not end within " + (seconds + GRACE.toSeconds()) + " s"
        : firstLine(log, FINDING).map(l -> l.substring(l.indexOf(FINDING) + FINDING.length()))
            .orElse("exit status " + process.exitValue());
    String inputs = saved.isEmpty() ? "no input was saved"
        : "input saved as " + saved.stream().map(p -> Path.of("").toAbsolutePath().relativize(p.toAbsolutePath())
            .normalize().toString()).distinct().collect(Collectors.joining(", "))
            + " (replayed by every build from now on: rename it after what it shows, fix the bug and add a named"
            + " regression test)";
    return new Outcome(target, false, runs, why + "; " + inputs + "; log: " + target.log());
  }

  /**
   * Copies the JVM's output to {@code log} after its command line, each line after the seconds since the JVM's start
   * (where the time goes).
   */
  private static Thread copyWithTimes(Process process, Path log, String header) {
    long start = System.nanoTime();
    Thread copier = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.ISO_8859_1));
          Writer out = Files.newBufferedWriter(log, StandardCharsets.ISO_8859_1)) {
        out.write("to run this target by hand: " + header + System.lineSeparator());
        String line;
        while ((line = in.readLine()) != null) {
          out.write(String.format("%7.1f %s%n", (System.nanoTime() - start) / 1e9, line));
        }
      } catch (IOException e) {
        // The process went away; what was copied stays.
      }
    }, "fuzz-log-" + log.getFileName());
    copier.setDaemon(true);
    copier.start();
    return copier;
  }

  /**
   * The files libFuzzer writes for findings in the target's seed folder (where Jazzer puts them) and the project
   * folder (where it puts them when there is none).
   */
  private static Set<Path> artifacts(Target target) throws IOException {
    Set<Path> found = new TreeSet<>();
    Pattern name = Pattern.compile("(crash|timeout|oom|slow-unit|leak)-[0-9a-f]+");
    for (Path dir : List.of(target.seedDir(), Path.of("."))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(f -> name.matcher(f.getFileName().toString()).matches()).map(Path::normalize)
            .forEach(found::add);
      }
    }
    return found;
  }

  private static Optional<String> firstLine(String log, String containing) {
    return log.lines().filter(l -> l.contains(containing)).findFirst().map(String::trim);
  }

  /** The child: runs one target through the JUnit Platform (Jazzer's engine extension fuzzes it). */
  private static int runInThisJvm(String className, String method, String parameterTypes) {
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(DiscoverySelectors.selectMethod(className, method, parameterTypes)).build(), listener);
    TestExecutionSummary summary = listener.getSummary();
    for (TestExecutionSummary.Failure failure : summary.getFailures()) {
      System.out.println(FINDING + failure.getException().toString().lines().findFirst().orElse(""));
    }
    summary.printFailuresTo(new PrintWriter(System.out, true), 20);
    summary.printTo(new PrintWriter(System.out, true));
    if (summary.getTestsSucceededCount() == 0 && summary.getTotalFailureCount() == 0) {
      System.out.println("FuzzPass: " + className + "#" + method + " did not run");
      return 1;
    }
    return summary.getTotalFailureCount() == 0 ? 0 : 1;
  }
}
