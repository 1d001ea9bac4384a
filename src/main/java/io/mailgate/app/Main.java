package io.mailgate.app;

import io.mailgate.config.ConfigException;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.ConfigParser;
import io.mailgate.config.MailgateConfig;
import io.mailgate.config.LogLevel;
import io.mailgate.demo.TokenCommand;
import io.mailgate.log.ErrorLogs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;

/** {@code mailgate}: the command line entry point. Prints and exits the way nginx does. */
public final class Main {

  private Main() {}

  /** Runs mailgate; exits with 0, or 1 on any error. */
  public static void main(String[] args) {
    System.exit(run(args, System.err));
  }

  static int run(String[] args, PrintStream err) {
    if (args.length > 0 && args[0].equals("token")) {
      // "mailgate token USER": a demo token for trying OAUTHBEARER with the shipped configuration.
      Path home = Path.of(System.getProperty("mailgate.home", ".")).toAbsolutePath().normalize();
      return TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), home, System.out, err);
    }
    CommandLine cli;
    try {
      cli = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("mailgate: " + e.getMessage());
      err.print(CommandLine.USAGE);
      return 1;
    }
    if (cli.help()) {
      err.println(Version.line());
      err.print(CommandLine.USAGE);
      return 0;
    }
    if (cli.version() || cli.versionAndBuild()) {
      err.println(Version.line());
      if (cli.versionAndBuild()) {
        err.print(Version.buildDetails());
      }
      return 0;
    }
    if (cli.signal().isPresent()) {
      return SignalSender.send(cli, err);
    }
    // Until the configuration names its logs, complaints go to standard error.
    ErrorLogs.configureStderr(LogLevel.NOTICE);
    List<String> notices = new ArrayList<>();
    MailgateConfig config;
    List<ConfigParser.SourceFile> sources = new ArrayList<>();
    try {
      config = ConfigLoader.load(cli.configFile(), cli.prefix(), notices::add, sources::add);
    } catch (ConfigException e) {
      err.println("mailgate: [emerg] " + e.getMessage());
      if (cli.testOnly()) {
        err.println("mailgate: configuration file " + cli.configFile() + " test failed");
      }
      return 1;
    }
    if (cli.testOnly()) {
      notices.forEach(n -> err.println("mailgate: [notice] " + n));
      err.println("mailgate: the configuration file " + cli.configFile() + " syntax is ok");
      err.println("mailgate: configuration file " + cli.configFile() + " test is successful");
      if (cli.dump()) {
        dump(sources, System.out);
      }
      return 0;
    }
    return new Mailgate(config, notices).runUntilStopped(err);
  }

  /** {@code -T}: every file of the configuration as read, includes expanded in reading order, as nginx prints it. */
  static void dump(List<ConfigParser.SourceFile> sources, PrintStream out) {
    for (ConfigParser.SourceFile source : sources) {
      out.println("# configuration file " + source.file() + ":");
      out.print(source.text());
      if (!source.text().endsWith("\n")) {
        out.println();
      }
      out.println();
    }
    out.flush();
  }

  /** Writes {@code pid} to the pid file, creating its folder's file atomically enough for the harness's polling. */
  static void writePidFile(java.nio.file.Path file) throws IOException {
    java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
