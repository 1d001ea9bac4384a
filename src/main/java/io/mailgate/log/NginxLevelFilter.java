package io.mailgate.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import io.mailgate.config.LogLevel;

/** Lets through events at the configured nginx level and above ({@code error_log file notice;}). */
final class NginxLevelFilter extends Filter<ILoggingEvent> {

  private final LogLevel threshold;

  NginxLevelFilter(LogLevel threshold) {
    this.threshold = threshold;
  }

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return NginxLevels.of(event).compareTo(threshold) >= 0 ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
