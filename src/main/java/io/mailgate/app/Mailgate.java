package io.mailgate.app;

import io.mailgate.config.ConfigException;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.MailgateConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.log.ErrorLogs;
import io.mailgate.log.NginxLevels;
import io.mailgate.metrics.MetricsServer;
import io.mailgate.session.LiveSessions;
import io.mailgate.transport.Listeners;
import io.mailgate.transport.Transport;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running mailgate: binds the listeners of its configuration, writes the pid file, reloads on HUP without dropping
 * a session, reopens its logs on USR1, drains on TERM/INT and stops at once on USR2. Tests start one in-process with
 * {@link #start()}, {@link #reload()} and {@link #stop()}.
 *
 * <p>Reloads, graceful stops and the closing of retired configurations run one at a time on a control thread of
 * their own, never on an event loop and never on the thread a signal arrives on.
 */
public final class Mailgate {

  private static final Logger LOG = LoggerFactory.getLogger(Mailgate.class);

  private final MailgateConfig initialConfig;
  private final List<String> notices;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private static final String CONTROL_THREAD = "mailgate-control";
  private final ExecutorService control =
      Executors.newSingleThreadExecutor(new DefaultThreadFactory(CONTROL_THREAD, true));
  private final LiveSessions sessions = new LiveSessions();
  private SharedServices shared;
  private Listeners listeners;
  private ServiceNotifier notifier = ServiceNotifier.NONE;
  /** The configuration new connections get; replaced by reloads. Guarded by this. */
  private Generation current;
  private Optional<Path> pidFile = Optional.empty();
  private ReloadStatus reloadStatus;
  private int reloadAttempts;
  private boolean draining;
  private boolean stopCalled;

  /** A mailgate for {@code config}; {@code notices} are the loader's skipped-directive notices, logged at start. */
  public Mailgate(MailgateConfig config, List<String> notices) {
    this.initialConfig = config;
    this.notices = List.copyOf(notices);
  }

  /** Starts, then blocks the calling (main) thread until a stop has finished; 0 after a stop, 1 if start failed. */
  int runUntilStopped(PrintStream err) {
    configureLogs(initialConfig);
    // Registered before binding: an early HUP must not kill the process, and TERM/INT must drain, not exit at once
    // (the JVM's own TERM handler would exit with 143 before the sessions are let finish).
    Signals.handle("HUP", () -> control.execute(this::reloadQuietly));
    Signals.handle("USR1", () -> control.execute(this::reopenLogs));
    Signals.handle("TERM", this::stopGracefully);
    Signals.handle("INT", this::stopGracefully);
    Signals.handle("USR2", () -> new Thread(this::stop, "mailgate-stop-now").start());
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "mailgate-stop"));
    notifier = SystemdNotifier.fromEnvironment();
    try {
      start();
    } catch (StartupException e) {
      LOG.error(NginxLevels.EMERG, e.getMessage());
      err.println("mailgate: [emerg] " + e.getMessage());
      stop();
      return 1;
    }
    notifier.ready();
    awaitStop();
    return 0;
  }

  /**
   * Binds every listener and writes the pid file. Logging must already be configured.
   *
   * @throws StartupException when a listener cannot be bound, a file of the configuration cannot be read, or the pid
   *     file cannot be written
   */
  public synchronized void start() throws StartupException {
    notices.forEach(n -> LOG.info(NginxLevels.NOTICE, n));
    Transport transport = Transport.detect();
    transport.unavailabilityCause().ifPresent(why ->
        LOG.info(NginxLevels.NOTICE, "native epoll unavailable ({}), using NIO", why.toString()));
    String tlsProvider = TlsProviders.describe();
    shared = new SharedServices(transport, initialConfig.workerProcesses(), initialConfig.workerConnections(),
        this::runOnControl);
    listeners = new Listeners(shared.group(), transport, sessions);
    try {
      current = Generation.build(1, initialConfig, shared);
      listeners.apply(current.servers());
      shared.metricsServer().apply(initialConfig.metricsListen());
      pidFile = initialConfig.pidFile();
      if (pidFile.isPresent()) {
        Main.writePidFile(pidFile.get());
        reloadStatus = new ReloadStatus(ReloadStatus.beside(pidFile.get()));
      }
    } catch (StartupException e) {
      stop();
      throw e;
    } catch (Listeners.BindException | MetricsServer.BindException e) {
      stop();
      throw new StartupException(e.getMessage());
    } catch (IOException e) {
      stop();
      throw new StartupException("open() \"" + initialConfig.pidFile().orElseThrow() + "\" failed (" + e + ")");
    }
    shared.health().serving(true);
    LOG.info(NginxLevels.NOTICE, "mailgate/{} started: {} event loops, {} transport, TLS provider {}",
        Version.number(), initialConfig.workerProcesses(), transport.name(), tlsProvider);
  }

  /**
   * Reloads the configuration file: parses and checks all of it (includes, certificates, keys, CA files, users
   * files, maps, key sets) and binds new listen addresses; only then do new connections get the new settings. Any
   * failure changes nothing: the error is logged with its {@code file:line} and the running configuration stays.
   * Sessions already accepted go on with the settings they started with; relaying ones are not touched.
   *
   * @return the outcome, also written to the reload status file for {@code mailgate -s reload}
   */
  public synchronized ReloadStatus.Outcome reload() {
    if (stopCalled || draining) {
      return new ReloadStatus.Outcome(false, "mailgate is stopping");
    }
    int attempt = ++reloadAttempts;
    notifier.reloading();
    MailgateConfig running = current.config();
    LOG.info(NginxLevels.NOTICE, "reloading configuration from {}", running.configFile());
    ReloadStatus.Outcome outcome;
    try {
      outcome = switchTo(loadAndBuild(running));
    } catch (StartupException e) {
      LOG.error(NginxLevels.EMERG, e.getMessage());
      LOG.info(NginxLevels.NOTICE, "reload failed, the running configuration stays");
      outcome = new ReloadStatus.Outcome(false, e.getMessage());
    }
    shared.metrics().reloaded(outcome.ok());
    if (reloadStatus != null) {
      reloadStatus.write(attempt, outcome);
    }
    notifier.ready();
    return outcome;
  }

  private Generation loadAndBuild(MailgateConfig running) throws StartupException {
    List<String> loadNotices = new ArrayList<>();
    MailgateConfig next;
    try {
      next = ConfigLoader.load(running.configFile(), running.prefix(), loadNotices::add);
    } catch (ConfigException e) {
      throw new StartupException(e.getMessage());
    }
    loadNotices.forEach(n -> LOG.info(NginxLevels.NOTICE, n));
    Generation built = Generation.build(current.number() + 1, next, shared);
    MetricsServer.Change metricsChange;
    try {
      // A new metrics address is bound before the old one closes, and before the mail listeners change, so that
      // a failure to bind it leaves everything as it was.
      metricsChange = shared.metricsServer().prepare(next.metricsListen());
    } catch (MetricsServer.BindException e) {
      built.retire();
      throw new StartupException(e.getMessage());
    }
    try {
      listeners.apply(built.servers());
    } catch (Listeners.BindException e) {
      metricsChange.abandon();
      built.retire();
      throw new StartupException(e.getMessage());
    }
    metricsChange.commit();
    return built;
  }

  /** The listeners serve {@code next} already: the rest of the process follows, and the old configuration retires. */
  private ReloadStatus.Outcome switchTo(Generation next) {
    Generation previous = current;
    current = next;
    MailgateConfig config = next.config();
    configureLogs(config);
    shared.gate().setLimit(config.workerConnections());
    if (config.workerProcesses() != previous.config().workerProcesses()) {
      LOG.info(NginxLevels.NOTICE, "worker_processes {} takes effect after a restart; {} event loops keep running",
          config.workerProcesses(), previous.config().workerProcesses());
    }
    movePidFile(config.pidFile());
    previous.retire();
    LOG.info(NginxLevels.NOTICE, "configuration reloaded (generation {}), listening on {}", next.number(),
        String.join(" ", listeners.addresses()));
    return new ReloadStatus.Outcome(true, "configuration reloaded");
  }

  /** A reload's new {@code pid} path: the new file is written before the old one goes. */
  private void movePidFile(Optional<Path> next) {
    if (next.equals(pidFile)) {
      return;
    }
    try {
      if (next.isPresent()) {
        Main.writePidFile(next.get());
      }
      if (pidFile.isPresent()) {
        Files.deleteIfExists(pidFile.get());
      }
      if (reloadStatus != null) {
        reloadStatus.delete();
      }
      reloadStatus = next.map(p -> new ReloadStatus(ReloadStatus.beside(p))).orElse(null);
      pidFile = next;
    } catch (IOException e) {
      LOG.error("open() \"{}\" failed ({}), the pid file stays {}", next.orElse(null), e.getMessage(),
          pidFile.orElse(null));
    }
  }

  private void reloadQuietly() {
    reload();
  }

  /** USR1 ({@code -s reopen}): every log file is opened anew, so logrotate's rename is followed by a new file. */
  public synchronized void reopenLogs() {
    if (current != null) {
      configureLogs(current.config());
    } else {
      configureLogs(initialConfig);
    }
    if (shared != null) {
      shared.accessLogs().reopen();
    }
    LOG.info(NginxLevels.NOTICE, "reopening logs");
  }

  private static void configureLogs(MailgateConfig config) {
    List<ErrorLogConfig> perServer = new ArrayList<>();
    for (ServerConfig server : config.servers()) {
      perServer.add(server.errorLog().orElse(null));
    }
    ErrorLogs.configure(config.errorLog(), perServer);
  }

  /**
   * TERM/INT ({@code -s quit}): stops accepting, closes the sessions that wait for a command (with the protocol's
   * goodbye), lets logins in flight finish and relaying sessions run for up to {@code shutdown_timeout}, then closes
   * what is left and stops. A second TERM/INT during the drain stops at once. Returns at once; the drain runs on the
   * control thread.
   */
  public void stopGracefully() {
    synchronized (this) {
      if (stopCalled) {
        return;
      }
      if (draining) {
        LOG.info(NginxLevels.NOTICE, "second stop signal: closing every session now");
        new Thread(this::stop, "mailgate-stop-now").start();
        return;
      }
      draining = true;
    }
    runOnControl(this::drain);
  }

  private void drain() {
    Duration timeout;
    synchronized (this) {
      if (stopCalled) {
        return;
      }
      notifier.stopping();
      timeout = current != null ? current.config().shutdownTimeout() : initialConfig.shutdownTimeout();
      LOG.info(NginxLevels.NOTICE, "gracefully shutting down: {} sessions open, shutdown_timeout {} ms",
          sessions.size(), timeout.toMillis());
      shared.health().serving(false);
      if (listeners != null) {
        listeners.close();
      }
      sessions.drain();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sessions.size() > 0 && System.nanoTime() < deadline && stopped.getCount() > 0) {
      try {
        // The control thread has nothing else to do meanwhile; a tenth of a second is fine-grained enough for exit.
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (sessions.size() > 0) {
      LOG.info(NginxLevels.NOTICE, "shutdown_timeout reached, closing {} sessions", sessions.size());
    }
    stop();
  }

  /** Sessions open now (tests watch a drain). */
  public int openSessions() {
    return sessions.size();
  }

  /** The generation new connections get: 1 at start-up, one more per successful reload. */
  public synchronized int generation() {
    return current == null ? 0 : current.number();
  }

  /** For tests in this package: the live configuration. */
  synchronized Generation currentGeneration() {
    return current;
  }

  private void awaitStop() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until {@link #stop()} has finished, at most {@code timeout}; true if it has. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Stops now (USR2, {@code -s stop}; tests): no new connections, every connection closed, event loops ended, pid
   * file removed. Runs at most once.
   */
  public void stop() {
    synchronized (this) {
      if (stopCalled) {
        return;
      }
      stopCalled = true;
      LOG.info(NginxLevels.NOTICE, "exiting");
      if (shared != null) {
        shared.health().serving(false);
      }
      if (listeners != null) {
        listeners.close();
      }
      sessions.closeAll();
      if (current != null) {
        current.retire();
      }
    }
    control.shutdown();
    if (!Thread.currentThread().getName().startsWith(CONTROL_THREAD)) {
      try {
        // The retired configuration closes on the control thread: let it finish before the loops go.
        control.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (shared != null) {
      shared.close();
    }
    synchronized (this) {
      if (pidFile.isPresent()) {
        try {
          Files.deleteIfExists(pidFile.get());
        } catch (IOException e) {
          LOG.warn("cannot remove pid file {}: {}", pidFile.get(), e.getMessage());
        }
      }
      if (reloadStatus != null) {
        reloadStatus.delete();
      }
    }
    notifier.close();
    stopped.countDown();
  }

  /** Runs {@code task} on the control thread, or here once that has stopped. */
  private void runOnControl(Runnable task) {
    Objects.requireNonNull(task);
    try {
      control.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /** mailgate could not start (or reload); the message reads as nginx's {@code [emerg]} text. */
  public static final class StartupException extends Exception {
    StartupException(String message) {
      super(message);
    }
  }
}
