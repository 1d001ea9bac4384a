package io.mailgate.config;

import java.util.Locale;
import java.util.Optional;

/** nginx's error-log levels, least severe first; a log writes its level and everything more severe. */
public enum LogLevel {
  DEBUG,
  INFO,
  NOTICE,
  WARN,
  ERROR,
  CRIT,
  ALERT,
  EMERG;

  /** The word in {@code error_log} and in the log line ({@code [notice]}). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The level named by an {@code error_log} argument. */
  public static Optional<LogLevel> fromWord(String word) {
    for (LogLevel l : values()) {
      if (l.word().equals(word)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }
}
