package io.mailgate.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Binds the main context and {@code events {}}, and hands {@code mail {}} to {@link MailBinder}. */
final class MainBinder {

  private static final int DEFAULT_WORKER_CONNECTIONS = 512;

  private final Path configFile;
  private final Path prefix;
  private final Notices notices;
  private final Supplier<String> hostName;

  private int workerProcesses = 1;
  private int workerConnections = DEFAULT_WORKER_CONNECTIONS;
  private Optional<Path> pidFile;
  private ErrorLogConfig errorLog;
  private Duration shutdownTimeout = MailgateConfig.DEFAULT_SHUTDOWN_TIMEOUT;
  private String shutdownTimeoutName;
  private List<ServerConfig> servers = List.of();
  private Optional<MetricsListen> metricsListen = Optional.empty();

  MainBinder(Path configFile, Path prefix, Notices notices, Supplier<String> hostName) {
    this.configFile = configFile;
    this.prefix = prefix;
    this.notices = notices;
    this.hostName = hostName;
    this.pidFile = Optional.of(prefix.resolve("logs/mailgate.pid"));
  }

  /** The whole configuration from the top-level directives. */
  MailgateConfig bind(List<Directive> top) throws ConfigException {
    Set<String> seen = new HashSet<>();
    for (Directive d : top) {
      DirectiveSpec spec = DirectiveTable.check(d, Context.MAIN, seen);
      if (spec.ignored()) {
        notices.ignored(d.name());
        continue;
      }
      apply(d);
    }
    return new MailgateConfig(
        configFile, prefix, workerProcesses, workerConnections, pidFile, mainErrorLog(), shutdownTimeout, servers,
        metricsListen);
  }

  private void apply(Directive d) throws ConfigException {
    switch (d.name()) {
      case "worker_processes":
        workerProcesses = d.arg(0).equals("auto") ? Runtime.getRuntime().availableProcessors() : Values.number(d, 1);
        break;
      case "pid":
        pidFile = d.arg(0).equals("off") ? Optional.empty() : Optional.of(Values.path(d, prefix, d.arg(0)));
        break;
      case "error_log":
        // Several main error_log lines add up: each one gets every message at or above its own level.
        ErrorLogs.parse(d, prefix, notices).ifPresent(sink -> errorLog = ErrorLogs.add(errorLog, sink));
        break;
      case "daemon":
        // Validated for compatibility; a JVM cannot fork, so mailgate always runs in the foreground.
        Values.flag(d);
        break;
      case "shutdown_timeout":
      case "worker_shutdown_timeout":
        // nginx's worker_shutdown_timeout means the same here; one of the two names, once.
        if (shutdownTimeoutName != null) {
          throw d.error("\"" + d.name() + "\" directive is duplicate, \"" + shutdownTimeoutName + "\" is already set");
        }
        shutdownTimeoutName = d.name();
        shutdownTimeout = Values.time(d);
        break;
      case "metrics_listen":
        metricsListen = d.arg(0).equals("off") ? Optional.empty() : Optional.of(ListenParser.metricsListen(d));
        break;
      case "events":
        bindEvents(d);
        break;
      case "mail":
        servers = new MailBinder(prefix, configFile.getParent(), notices, hostName).bind(d);
        break;
      default:
        throw new IllegalStateException("no handler for directive " + d.name());
    }
  }

  private void bindEvents(Directive events) throws ConfigException {
    Set<String> seen = new HashSet<>();
    for (Directive d : events.children()) {
      DirectiveSpec spec = DirectiveTable.check(d, Context.EVENTS, seen);
      if (spec.ignored()) {
        notices.ignored(d.name());
      } else {
        workerConnections = Values.number(d, 1);
      }
    }
  }

  /** The main error_logs, else nginx's default {@code logs/error.log}, else stderr if that folder is missing. */
  private ErrorLogConfig mainErrorLog() {
    if (errorLog != null) {
      return errorLog;
    }
    Path logs = prefix.resolve("logs");
    if (Files.isDirectory(logs)) {
      return new ErrorLogConfig(Optional.of(logs.resolve("error.log")), LogLevel.ERROR);
    }
    return ErrorLogConfig.stderr(LogLevel.ERROR);
  }
}
