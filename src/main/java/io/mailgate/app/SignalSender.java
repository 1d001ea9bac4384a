package io.mailgate.app;

import io.mailgate.config.ConfigException;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.MailgateConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code mailgate -s quit|stop|reload|reopen}: signals the running mailgate named by the configured pid file.
 * A JVM cannot catch SIGQUIT (it prints a thread dump), so nginx's two stops map to signals it can:
 * {@code quit} sends TERM (graceful: drain up to {@code shutdown_timeout}), {@code stop} sends USR2 (close every
 * session now). {@code reload} sends HUP and waits for the running mailgate's outcome (exit 1 with its reason if the
 * new configuration was refused); {@code reopen} sends USR1.
 */
final class SignalSender {

  /** How long {@code -s reload} waits for the running mailgate's answer (a reload reads every certificate and file). */
  private static final Duration RELOAD_ANSWER = Duration.ofSeconds(60);

  private SignalSender() {}

  static int send(CommandLine cli, PrintStream err) {
    String signalName;
    switch (cli.signal().get()) {
      case "quit":
        signalName = "TERM";
        break;
      case "stop":
        signalName = "USR2";
        break;
      case "reload":
        signalName = "HUP";
        break;
      case "reopen":
        signalName = "USR1";
        break;
      default:
        err.println("mailgate: invalid option: \"-s " + cli.signal().get() + "\"");
        return 1;
    }
    MailgateConfig config;
    try {
      // As nginx: the configuration names the pid file; a configuration that does not load is not signalled with.
      config = ConfigLoader.load(cli.configFile(), cli.prefix(), notice -> { });
    } catch (ConfigException e) {
      err.println("mailgate: [emerg] " + e.getMessage());
      return 1;
    }
    if (config.pidFile().isEmpty()) {
      err.println("mailgate: [error] no pid file is configured");
      return 1;
    }
    Path pidFile = config.pidFile().get();
    try {
      long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
      Path status = ReloadStatus.beside(pidFile);
      Optional<ReloadStatus.Line> before = ReloadStatus.read(status);
      Process kill = new ProcessBuilder("kill", "-" + signalName, Long.toString(pid)).inheritIO().start();
      if (kill.waitFor() != 0) {
        return 1;
      }
      return signalName.equals("HUP") ? awaitReload(status, pid, before, err) : 0;
    } catch (IOException | NumberFormatException e) {
      err.println("mailgate: [error] open() \"" + pidFile + "\" failed (" + e.getMessage() + ")");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** Waits for a status line newer than {@code before} from process {@code pid}; 0 if the reload took effect. */
  private static int awaitReload(Path status, long pid, Optional<ReloadStatus.Line> before, PrintStream err)
      throws InterruptedException {
    long deadline = System.nanoTime() + RELOAD_ANSWER.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<ReloadStatus.Line> now = ReloadStatus.read(status);
      if (now.isPresent() && now.get().pid() == pid && !now.equals(before)) {
        if (now.get().outcome().ok()) {
          return 0;
        }
        err.println("mailgate: [emerg] reload failed: " + now.get().outcome().message());
        return 1;
      }
      Thread.sleep(50);
    }
    err.println("mailgate: [error] no reload outcome from process " + pid + " within " + RELOAD_ANSWER.toSeconds()
        + " s (see its error log)");
    return 1;
  }
}
