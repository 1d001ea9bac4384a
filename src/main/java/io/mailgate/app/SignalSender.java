package io.mailgate.app;

import io.mailgate.config.ConfigException;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.MailgateConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code mailgate -s stop|quit|reload|reopen}: signals the running mailgate named by the configured pid file. */
final class SignalSender {

  private SignalSender() {}

  static int send(CommandLine cli, PrintStream err) {
    String signalName;
    switch (cli.signal().get()) {
      case "stop":
      case "quit":
        // A JVM cannot catch SIGQUIT (it prints a thread dump): TERM is mailgate's graceful stop.
        signalName = "TERM";
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
      String pid = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
      Process kill = new ProcessBuilder("kill", "-" + signalName, pid).inheritIO().start();
      return kill.waitFor() == 0 ? 0 : 1;
    } catch (IOException e) {
      err.println("mailgate: [error] open() \"" + pidFile + "\" failed (" + e.getMessage() + ")");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
