package io.mailgate.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.LogLevel;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Points SLF4J at nginx-style error logs ({@code error_log}): the main logs get everything; a {@code server} with its
 * own {@code error_log}s gets its sessions' lines in those instead (logger {@link #serverLoggerName(int)}). Each
 * context may have several sinks (files, stderr, syslog), each with its own level. Configured in code, once, before
 * any listener is bound.
 */
public final class ErrorLogs {

  /** The root of every mailgate logger. */
  public static final String ROOT = "io.mailgate";

  private ErrorLogs() {}

  /** The logger name for sessions of the {@code index}-th server. */
  public static String serverLoggerName(int index) {
    return ROOT + ".server." + index;
  }

  /**
   * Replaces the logging set-up with the main log and one log per server that has its own.
   *
   * @param perServer per server index: its own error log, or null to use the main one
   */
  public static void configure(ErrorLogConfig main, List<ErrorLogConfig> perServer) {
    configure((LoggerContext) LoggerFactory.getILoggerFactory(), main, perServer);
  }

  /** As {@link #configure(ErrorLogConfig, List)}, on {@code context}. */
  static void configure(LoggerContext context, ErrorLogConfig main, List<ErrorLogConfig> perServer) {
    context.reset();
    Appenders appenders = new Appenders(context);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    attach(root, main, "main", appenders);
    // Netty's own loggers talk about internals (cipher tables, allocator sizes): warnings and leak reports only.
    context.getLogger("io.netty").setLevel(Level.WARN);
    for (int i = 0; i < perServer.size(); i++) {
      ErrorLogConfig own = perServer.get(i);
      if (own == null) {
        continue;
      }
      Logger logger = context.getLogger(serverLoggerName(i));
      logger.setAdditive(false);
      attach(logger, own, "server" + i, appenders);
    }
  }

  /** Every sink of {@code config} on {@code logger}, which lets through the most verbose level any sink wants. */
  private static void attach(Logger logger, ErrorLogConfig config, String name, Appenders appenders) {
    logger.setLevel(toLogback(config.level()));
    List<ErrorLogConfig.Sink> sinks = config.sinks();
    for (int i = 0; i < sinks.size(); i++) {
      Appender<ILoggingEvent> appender = appenders.create(sinks.get(i), name + "-" + i);
      if (appender != null) {
        logger.addAppender(appender);
      }
    }
  }

  /** Logs to standard error at {@code level}: before the configuration is read, and in tests. */
  public static void configureStderr(LogLevel level) {
    configure(ErrorLogConfig.stderr(level), List.of());
  }

  /** As {@link #configureStderr(LogLevel)}, for a context that is still being initialised (no LoggerFactory yet). */
  static void configureStderr(LoggerContext context, LogLevel level) {
    configure(context, ErrorLogConfig.stderr(level), List.of());
  }

  private static Level toLogback(LogLevel level) {
    switch (level) {
      case DEBUG:
        return Level.DEBUG;
      case INFO:
      case NOTICE:
        return Level.INFO;
      case WARN:
        return Level.WARN;
      default:
        return Level.ERROR;
    }
  }
}
