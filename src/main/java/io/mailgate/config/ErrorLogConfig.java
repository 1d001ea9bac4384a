package io.mailgate.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One {@code error_log}: a file (resolved against the prefix) or {@code stderr}, and the lowest level written.
 *
 * @param file the log file; empty means standard error
 */
public record ErrorLogConfig(Optional<Path> file, LogLevel level) {

  /** nginx's default when no error_log is given: {@code logs/error.log error} under the prefix. */
  public static ErrorLogConfig stderr(LogLevel level) {
    return new ErrorLogConfig(Optional.empty(), level);
  }
}
