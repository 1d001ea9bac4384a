package io.mailgate.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.mailgate.config.LogLevel;
import io.mailgate.log.NginxLevels;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Records every log event that reaches the root logger (message, arguments, exception text) while open. Install it
 * after {@link ProxyUnderTest#start}, which resets the logging set-up.
 */
public final class LogCapture implements AutoCloseable {

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final Logger root;
  private final AppenderBase<ILoggingEvent> appender;

  private LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        String text = render(event);
        events.add(text);
        lines.add(new Line(NginxLevels.of(event), text));
      }
    };
    appender.setName("log-capture");
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  /** Starts capturing at debug level on the root logger. */
  public static LogCapture onRootAtDebug() {
    LogCapture capture = new LogCapture();
    capture.root.setLevel(Level.DEBUG);
    return capture;
  }

  /** Everything captured so far, one entry per event. */
  public List<String> events() {
    return events;
  }

  /** One captured event with the nginx level its error-log line carries. */
  public record Line(LogLevel level, String text) {}

  /** The events at {@code level} or more severe (what an {@code error_log} at that level writes), in order. */
  public List<String> atLeast(LogLevel level) {
    return lines.stream().filter(l -> l.level().compareTo(level) >= 0).map(Line::text).toList();
  }

  /** Everything captured so far as one text. */
  public String text() {
    return String.join("\n", events);
  }

  private static String render(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
    Object[] args = event.getArgumentArray();
    if (args != null) {
      for (Object arg : args) {
        text.append(" | ").append(arg);
      }
    }
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return text.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
