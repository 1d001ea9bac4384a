package io.mailgate.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.LogLevel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Points SLF4J at nginx-style error logs ({@code error_log}): the main logs get everything; a {@code server} with its
 * own {@code error_log}s gets its sessions' lines in those instead (logger {@link #serverLoggerName(int)}). Each
 * context may have several sinks (files, stderr, syslog), each with its own level. Configured in code before any
 * listener is bound, and again on reload and USR1.
 */
public final class ErrorLogs {

  /** The name prefix of the appenders mailgate makes (and replaces on reload). */
  private static final String OWN_PREFIX = "mailgate-";

  /** The root of every mailgate logger. */
  public static final String ROOT = "io.mailgate";

  private ErrorLogs() {}

  /** The logger name for sessions of the {@code index}-th server. */
  public static String serverLoggerName(int index) {
    return ROOT + ".server." + index;
  }

  /**
   * Replaces the logging set-up with the main log and one log per server that has its own. Called at start-up, on
   * reload and on USR1 (every file is opened anew, so a log renamed by logrotate is followed by a new file). The new
   * sinks are in place before the old ones are detached, so a line logged meanwhile by an event loop is never lost.
   *
   * @param perServer per server index: its own error log, or null to use the main one
   */
  public static void configure(ErrorLogConfig main, List<ErrorLogConfig> perServer) {
    configure((LoggerContext) LoggerFactory.getILoggerFactory(), main, perServer);
  }

  /** As {@link #configure(ErrorLogConfig, List)}, on {@code context}. */
  static synchronized void configure(LoggerContext context, ErrorLogConfig main, List<ErrorLogConfig> perServer) {
    Appenders appenders = new Appenders(context);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    replace(root, main, "main", appenders);
    // Netty's own loggers talk about internals (cipher tables, allocator sizes): warnings and leak reports only.
    context.getLogger("io.netty").setLevel(Level.WARN);
    // Lettuce (throttle_redis) logs each reconnect attempt at info; the throttle's own rate-limited line says it once.
    context.getLogger("io.lettuce").setLevel(Level.WARN);
    context.getLogger("reactor").setLevel(Level.WARN);
    for (Logger logger : context.getLoggerList()) {
      int index = serverIndex(logger.getName());
      if (index >= 0 && (index >= perServer.size() || perServer.get(index) == null)) {
        // A server that had logs of its own and has none now (after a reload) writes to the main logs again.
        detachOwn(logger, List.of());
        logger.setLevel(null);
        logger.setAdditive(true);
      }
    }
    for (int i = 0; i < perServer.size(); i++) {
      ErrorLogConfig own = perServer.get(i);
      if (own != null) {
        Logger logger = context.getLogger(serverLoggerName(i));
        logger.setAdditive(false);
        replace(logger, own, "server" + i, appenders);
      }
    }
  }

  /** The index of a {@link #serverLoggerName(int)} logger, or -1 for any other logger. */
  private static int serverIndex(String loggerName) {
    String prefix = ROOT + ".server.";
    if (!loggerName.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(loggerName.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Every sink of {@code config} on {@code logger}, which lets through the most verbose level any sink wants; then
   * the sinks it had before are detached and closed. Appenders mailgate did not make (a test's capture) stay.
   */
  private static void replace(Logger logger, ErrorLogConfig config, String name, Appenders appenders) {
    List<Appender<ILoggingEvent>> fresh = new ArrayList<>();
    List<ErrorLogConfig.Sink> sinks = config.sinks();
    for (int i = 0; i < sinks.size(); i++) {
      Appender<ILoggingEvent> appender = appenders.create(sinks.get(i), OWN_PREFIX + name + "-" + i);
      if (appender != null) {
        fresh.add(appender);
      }
    }
    logger.setLevel(toLogback(config.level()));
    fresh.forEach(logger::addAppender);
    detachOwn(logger, fresh);
  }

  /** Detaches and stops the appenders mailgate made on {@code logger}, except {@code keep}. */
  private static void detachOwn(Logger logger, List<Appender<ILoggingEvent>> keep) {
    List<Appender<ILoggingEvent>> old = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> appender = it.next();
      if (appender.getName() != null && appender.getName().startsWith(OWN_PREFIX)
          && keep.stream().noneMatch(k -> k == appender)) {
        old.add(appender);
      }
    }
    for (Appender<ILoggingEvent> appender : old) {
      logger.detachAppender(appender);
      appender.stop();
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
