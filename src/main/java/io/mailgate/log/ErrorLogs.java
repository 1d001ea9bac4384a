package io.mailgate.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.LogLevel;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Points SLF4J at nginx-style error logs ({@code error_log}): the main log gets everything; a {@code server} with its
 * own {@code error_log} gets its sessions' lines in that log instead (logger {@link #serverLoggerName(int)}).
 * Configured in code, once, before any listener is bound.
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

  private static void configure(LoggerContext context, ErrorLogConfig main, List<ErrorLogConfig> perServer) {
    context.reset();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(toLogback(main.level()));
    root.addAppender(appender(context, main, "main"));
    // Netty's own loggers talk about internals (cipher tables, allocator sizes): warnings and leak reports only.
    context.getLogger("io.netty").setLevel(Level.WARN);
    for (int i = 0; i < perServer.size(); i++) {
      ErrorLogConfig own = perServer.get(i);
      if (own == null) {
        continue;
      }
      Logger logger = context.getLogger(serverLoggerName(i));
      logger.setAdditive(false);
      logger.setLevel(toLogback(own.level()));
      logger.addAppender(appender(context, own, "server" + i));
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

  private static Appender<ILoggingEvent> appender(LoggerContext context, ErrorLogConfig config, String name) {
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    NginxLayout layout = new NginxLayout();
    layout.setContext(context);
    layout.start();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender;
    if (config.file().isPresent()) {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setFile(config.file().get().toString());
      file.setAppend(true);
      file.setImmediateFlush(true);
      appender = file;
    } else {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      appender = console;
    }
    appender.setName(name);
    appender.setContext(context);
    appender.setEncoder(encoder);
    NginxLevelFilter filter = new NginxLevelFilter(config.level());
    filter.start();
    appender.addFilter(filter);
    appender.start();
    return appender;
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
