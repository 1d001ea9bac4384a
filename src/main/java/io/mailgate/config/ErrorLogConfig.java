package io.mailgate.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code error_log} directives of one context: every sink gets every message at or above its own level, as
 * nginx writes one message to each log of the context.
 *
 * @param sinks at least one; in the order the directives were written
 */
public record ErrorLogConfig(List<ErrorLogConfig.Sink> sinks) {

  /** Copies {@code sinks}; an error log without a sink cannot exist. */
  public ErrorLogConfig {
    sinks = List.copyOf(sinks);
    if (sinks.isEmpty()) {
      throw new IllegalArgumentException("an error log needs at least one sink");
    }
  }

  /** One file, or standard error when {@code file} is empty. */
  public ErrorLogConfig(Optional<Path> file, LogLevel level) {
    this(List.of(file.<Sink>map(f -> new FileSink(f, level)).orElseGet(() -> new StderrSink(level))));
  }

  /** Standard error only. */
  public static ErrorLogConfig stderr(LogLevel level) {
    return new ErrorLogConfig(List.of(new StderrSink(level)));
  }

  /** This log with one more sink (a further {@code error_log} in the same context). */
  public ErrorLogConfig with(Sink sink) {
    List<Sink> more = new ArrayList<>(sinks);
    more.add(sink);
    return new ErrorLogConfig(more);
  }

  /** The most verbose level of any sink: below it nothing needs to be formatted at all. */
  public LogLevel level() {
    LogLevel lowest = LogLevel.EMERG;
    for (Sink s : sinks) {
      if (s.level().compareTo(lowest) < 0) {
        lowest = s.level();
      }
    }
    return lowest;
  }

  /** One destination of an error log. */
  public sealed interface Sink permits FileSink, StderrSink, SyslogSink {

    /** The least severe level this sink writes. */
    LogLevel level();
  }

  /** {@code error_log FILE LEVEL}: appended to, the path already resolved against the prefix. */
  public record FileSink(Path file, LogLevel level) implements Sink {}

  /** {@code error_log stderr LEVEL}. */
  public record StderrSink(LogLevel level) implements Sink {}

  /**
   * {@code error_log syslog:server=ADDR[:PORT][,facility=F][,tag=T][,nohostname] LEVEL}: one RFC 3164 datagram per
   * message over UDP. The severity of each datagram follows the message's level (nginx ignores {@code severity=}
   * for error logs).
   *
   * @param server resolved when the configuration was read
   * @param facility 0 (kern) to 23 (local7)
   * @param tag at most 32 letters, digits or underscores
   * @param hostname whether the datagram names this host ({@code nohostname} turns it off)
   */
  public record SyslogSink(InetSocketAddress server, int facility, String tag, boolean hostname, LogLevel level)
      implements Sink {}
}
