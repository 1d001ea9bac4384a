package io.mailgate.config;

import java.nio.file.Path;
import java.util.Optional;

/** Parses {@code error_log FILE|stderr [LEVEL]}; paths are relative to the prefix, the default level is error. */
final class ErrorLogs {

  private ErrorLogs() {}

  /**
   * The log named by the directive, or empty for a destination mailgate does not write to ({@code syslog:},
   * {@code memory:}), which is reported once as a notice and leaves the previous choice in place.
   */
  static Optional<ErrorLogConfig> parse(Directive d, Path prefix, Notices notices) throws ConfigException {
    String target = d.arg(0);
    LogLevel level = LogLevel.ERROR;
    if (d.args().size() > 1) {
      String word = d.arg(1);
      level = LogLevel.fromWord(word).orElseThrow(() -> d.error("invalid log level \"" + word + "\""));
    }
    if (target.isEmpty()) {
      throw Values.invalid(d, target);
    }
    if (target.startsWith("syslog:") || target.startsWith("memory:")) {
      String kind = target.substring(0, target.indexOf(':'));
      notices.say("\"error_log " + kind + ":\" is not supported, that error_log is ignored");
      return Optional.empty();
    }
    if (target.equals("stderr")) {
      return Optional.of(ErrorLogConfig.stderr(level));
    }
    return Optional.of(new ErrorLogConfig(Optional.of(prefix.resolve(target)), level));
  }
}
