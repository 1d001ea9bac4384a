package io.mailgate.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.mailgate.config.ErrorLogConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Makes one started Logback appender per error-log sink, each keeping only the levels its sink asks for. */
final class Appenders {

  private final LoggerContext context;
  private final PrintStream stderr;
  private String hostName;

  Appenders(LoggerContext context) {
    this(context, System.err);
  }

  /** {@code stderr} gets the complaint about a log file that cannot be opened. */
  Appenders(LoggerContext context, PrintStream stderr) {
    this.context = context;
    this.stderr = stderr;
  }

  /** The started appender for {@code sink}, or null when its file cannot be opened (said on standard error). */
  Appender<ILoggingEvent> create(ErrorLogConfig.Sink sink, String name) {
    UnsynchronizedAppenderBase<ILoggingEvent> appender;
    if (sink instanceof ErrorLogConfig.SyslogSink) {
      appender = new SyslogAppender((ErrorLogConfig.SyslogSink) sink, hostName());
    } else if (sink instanceof ErrorLogConfig.FileSink) {
      appender = file(((ErrorLogConfig.FileSink) sink).file());
      if (appender == null) {
        return null;
      }
    } else {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setContext(context);
      console.setEncoder(encoder());
      console.setTarget("System.err");
      appender = console;
    }
    appender.setName(name);
    appender.setContext(context);
    NginxLevelFilter filter = new NginxLevelFilter(sink.level());
    filter.start();
    appender.addFilter(filter);
    appender.start();
    return appender;
  }

  /**
   * A file opened for appending. Every sink opens its own descriptor, so several error_logs may name one file (from
   * different contexts, as nginx allows); O_APPEND keeps their lines whole, as each line is one write.
   */
  private OutputStreamAppender<ILoggingEvent> file(Path path) {
    OutputStream out;
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      out = new FileOutputStream(path.toFile(), true);
    } catch (IOException | SecurityException e) {
      stderr.println("mailgate: [emerg] open() \"" + path + "\" failed (" + e.getMessage() + ")");
      return null;
    }
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder());
    appender.setImmediateFlush(true);
    appender.setOutputStream(out);
    return appender;
  }

  private LayoutWrappingEncoder<ILoggingEvent> encoder() {
    NginxLayout layout = new NginxLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    return encoder;
  }

  /** Looked up once per configuration, and only when some sink is syslog. */
  private String hostName() {
    if (hostName == null) {
      hostName = LocalHostName.get();
    }
    return hostName;
  }
}
