package io.mailgate.app;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The command line, nginx's where it overlaps: {@code -c file}, {@code -p prefix}, {@code -t}, {@code -v}, {@code -V},
 * {@code -h}, {@code -s signal}, {@code -T}.
 *
 * @param configFile {@code -c}; relative to the prefix when not absolute (default {@code conf/mailgate.conf})
 * @param prefix {@code -p}; default the installation folder ({@code -Dmailgate.home}) or the working directory
 */
record CommandLine(
    Path configFile, Path prefix, boolean testOnly, boolean dump, boolean version, boolean versionAndBuild,
    boolean help, Optional<String> signal) {

  /** Parses {@code args}; throws {@link IllegalArgumentException} with nginx's wording on a bad option. */
  static CommandLine parse(String[] args) {
    String config = null;
    String prefix = null;
    boolean test = false;
    boolean dump = false;
    boolean version = false;
    boolean build = false;
    boolean help = false;
    String signal = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-c":
          config = value(args, ++i, a);
          break;
        case "-p":
          prefix = value(args, ++i, a);
          break;
        case "-s":
          signal = value(args, ++i, a);
          break;
        case "-t":
          test = true;
          break;
        case "-T":
          test = true;
          dump = true;
          break;
        case "-q":
          break;
        case "-v":
          version = true;
          break;
        case "-V":
          build = true;
          break;
        case "-h":
        case "-?":
          help = true;
          break;
        default:
          throw new IllegalArgumentException("invalid option: \"" + a + "\"");
      }
    }
    Path home = Path.of(prefix != null ? prefix : System.getProperty("mailgate.home", ".")).toAbsolutePath().normalize();
    Path conf = Path.of(config != null ? config : "conf/mailgate.conf");
    if (!conf.isAbsolute()) {
      conf = config != null ? Path.of("").toAbsolutePath().resolve(conf) : home.resolve(conf);
    }
    return new CommandLine(conf.normalize(), home, test, dump, version, build, help, Optional.ofNullable(signal));
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException("option \"" + option + "\" requires " + describe(option));
    }
    return args[index];
  }

  private static String describe(String option) {
    switch (option) {
      case "-c":
        return "file name";
      case "-p":
        return "directory name";
      default:
        return "signal name";
    }
  }

  static final String USAGE = String.join("\n",
      "Usage: mailgate [-?hvVtT] [-s signal] [-p prefix] [-c filename]",
      "       mailgate token USER     (a demo token for the shipped configuration's OAUTHBEARER/XOAUTH2)",
      "",
      "Options:",
      "  -?,-h         : this help",
      "  -v            : show version and exit",
      "  -V            : show version and build details and exit",
      "  -t            : test configuration and exit",
      "  -T            : test configuration, dump it and exit",
      "  -s signal     : send signal to the running mailgate: quit (graceful stop, TERM), stop (fast stop, USR2),",
      "                  reload (HUP; exits 1 if the reload failed), reopen (USR1, reopens log files)",
      "  -p prefix     : set prefix path (default: the installation folder)",
      "  -c filename   : set configuration file (default: conf/mailgate.conf under the prefix)",
      "");
}
