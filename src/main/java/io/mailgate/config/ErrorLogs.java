package io.mailgate.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses {@code error_log FILE|stderr|syslog:... [LEVEL]}; paths are relative to the prefix, the default level is
 * error. Several directives in one context add up ({@link #add}).
 */
final class ErrorLogs {

  /** nginx's facility names, in code order: {@code kern} is 0, {@code local7} is 23. */
  private static final List<String> FACILITIES = List.of(
      "kern", "user", "mail", "daemon", "auth", "intern", "lpr", "news", "uucp", "clock", "authpriv", "ftp", "ntp",
      "audit", "alert", "cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7");
  /** nginx's severity words: {@code error} and {@code warn} as in nginx.conf, not syslog's err and warning. */
  private static final List<String> SEVERITIES =
      List.of("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug");
  private static final List<String> DEBUG_SUBSYSTEMS =
      List.of("core", "alloc", "mutex", "event", "http", "mail", "stream");
  private static final int LOCAL7 = 23;
  private static final int DEFAULT_SYSLOG_PORT = 514;
  /** RFC 3164 section 4.1.3: the TAG must not exceed 32 characters. */
  private static final int MAX_TAG = 32;

  private ErrorLogs() {}

  /** {@code current} (null when the context has none yet) with one more sink. */
  static ErrorLogConfig add(ErrorLogConfig current, ErrorLogConfig.Sink sink) {
    return current == null ? new ErrorLogConfig(List.of(sink)) : current.with(sink);
  }

  /**
   * The sink named by the directive, or empty for a destination mailgate does not write to ({@code memory:}, a
   * {@code unix:} syslog socket), which is reported once as a notice and skipped.
   */
  static Optional<ErrorLogConfig.Sink> parse(Directive d, Path prefix, Notices notices) throws ConfigException {
    String target = d.arg(0);
    LogLevel level = level(d);
    if (target.isEmpty()) {
      throw Values.invalid(d, target);
    }
    if (target.startsWith("memory:")) {
      notices.say("\"error_log memory:\" is not supported, that error_log is ignored");
      return Optional.empty();
    }
    if (target.startsWith("syslog:")) {
      return syslog(d, target.substring("syslog:".length()), level, false, notices);
    }
    if (target.equals("stderr")) {
      return Optional.of(new ErrorLogConfig.StderrSink(level));
    }
    return Optional.of(new ErrorLogConfig.FileSink(Values.path(d, prefix, target), level));
  }

  /** One ordinary level, or one or more {@code debug_*} words (nginx's debug subsystems, all of them debug here). */
  private static LogLevel level(Directive d) throws ConfigException {
    LogLevel found = null;
    boolean debugSubsystems = false;
    for (String word : d.args().subList(1, d.args().size())) {
      Optional<LogLevel> named = LogLevel.fromWord(word);
      if (named.isPresent()) {
        if (found != null || debugSubsystems) {
          throw d.error("duplicate log level \"" + word + "\"");
        }
        found = named.get();
      } else if (word.startsWith("debug_") && DEBUG_SUBSYSTEMS.contains(word.substring("debug_".length()))
          && found == null) {
        debugSubsystems = true;
      } else {
        throw d.error("invalid log level \"" + word + "\"");
      }
    }
    if (found != null) {
      return found;
    }
    return debugSubsystems ? LogLevel.DEBUG : LogLevel.ERROR;
  }

  /**
   * {@code access_log off|stderr|FILE|syslog:...}: the destination, or empty for {@code off}. A destination mailgate
   * cannot write to ({@code memory:}, a {@code unix:} syslog socket) is an error here, not a notice: an operator who
   * asks for an access log must not silently get none. A syslog access log's datagrams carry {@code severity=}
   * (default info), as nginx's access logs do.
   */
  static Optional<ErrorLogConfig.Sink> parseAccessLog(Directive d, Path prefix, Notices notices)
      throws ConfigException {
    String target = d.arg(0);
    if (target.isEmpty()) {
      throw Values.invalid(d, target);
    }
    if (target.equals("off")) {
      return Optional.empty();
    }
    if (target.startsWith("syslog:")) {
      return syslog(d, target.substring("syslog:".length()), LogLevel.INFO, true, notices);
    }
    if (target.startsWith("memory:")) {
      throw d.error("\"access_log memory:\" is not supported");
    }
    if (target.equals("stderr")) {
      return Optional.of(new ErrorLogConfig.StderrSink(LogLevel.INFO));
    }
    return Optional.of(new ErrorLogConfig.FileSink(Values.path(d, prefix, target), LogLevel.INFO));
  }

  /** @param severityIsLevel {@code severity=} sets the sink's level (access logs) instead of being only checked */
  private static Optional<ErrorLogConfig.Sink> syslog(Directive d, String params, LogLevel level,
      boolean severityIsLevel, Notices notices) throws ConfigException {
    InetSocketAddress server = null;
    Integer facility = null;
    boolean severitySeen = false;
    String tag = null;
    boolean hostname = true;
    for (String p : params.split(",", -1)) {
      if (p.startsWith("server=")) {
        if (server != null) {
          throw d.error("duplicate syslog \"server\"");
        }
        String address = p.substring("server=".length());
        if (address.startsWith("unix:")) {
          if (severityIsLevel) {
            throw d.error("\"access_log syslog:server=unix:\" is not supported");
          }
          notices.say("\"error_log syslog:server=unix:\" is not supported, that error_log is ignored");
          return Optional.empty();
        }
        server = syslogServer(d, address);
      } else if (p.startsWith("facility=")) {
        if (facility != null) {
          throw d.error("duplicate syslog \"facility\"");
        }
        String name = p.substring("facility=".length());
        facility = FACILITIES.indexOf(name);
        if (facility < 0) {
          throw d.error("unknown syslog facility \"" + name + "\"");
        }
      } else if (p.startsWith("severity=")) {
        // Checked as nginx does, then unused: an error log's datagrams carry each message's own severity.
        if (severitySeen) {
          throw d.error("duplicate syslog \"severity\"");
        }
        String name = p.substring("severity=".length());
        if (!SEVERITIES.contains(name)) {
          throw d.error("unknown syslog severity \"" + name + "\"");
        }
        severitySeen = true;
        if (severityIsLevel) {
          level = LogLevel.fromWord(name).orElse(level);
        }
      } else if (p.startsWith("tag=")) {
        if (tag != null) {
          throw d.error("duplicate syslog \"tag\"");
        }
        tag = tag(d, p.substring("tag=".length()));
      } else if (p.equals("nohostname")) {
        hostname = false;
      } else {
        throw d.error("unknown syslog parameter \"" + p + "\"");
      }
    }
    if (server == null) {
      throw d.error("no syslog server specified");
    }
    return Optional.of(new ErrorLogConfig.SyslogSink(
        server, facility == null ? LOCAL7 : facility, tag == null ? "nginx" : tag, hostname, level));
  }

  private static String tag(Directive d, String tag) throws ConfigException {
    if (tag.length() > MAX_TAG) {
      throw d.error("syslog tag length exceeds 32");
    }
    for (char c : tag.toLowerCase(Locale.ROOT).toCharArray()) {
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '_')) {
        throw d.error("syslog \"tag\" only allows alphanumeric characters and underscore");
      }
    }
    return tag;
  }

  /** {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; resolved now, as nginx does at start. */
  private static InetSocketAddress syslogServer(Directive d, String address) throws ConfigException {
    String host = address;
    String port = null;
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 0 || close + 1 < address.length() && address.charAt(close + 1) != ':') {
        throw d.error("invalid host in syslog server \"" + address + "\"");
      }
      host = address.substring(1, close);
      port = close + 1 < address.length() ? address.substring(close + 2) : null;
    } else if (address.indexOf(':') >= 0) {
      host = address.substring(0, address.lastIndexOf(':'));
      port = address.substring(address.lastIndexOf(':') + 1);
      if (host.indexOf(':') >= 0) {
        throw d.error("invalid host in syslog server \"" + address + "\"");
      }
    }
    if (host.isEmpty()) {
      throw d.error("no host in syslog server \"" + address + "\"");
    }
    int number = DEFAULT_SYSLOG_PORT;
    if (port != null) {
      number = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : 0;
      if (number < 1 || number > 65535) {
        throw d.error("invalid port in syslog server \"" + address + "\"");
      }
    }
    try {
      // Reading the configuration happens before any event loop exists, so a name lookup blocks nothing.
      return new InetSocketAddress(InetAddress.getByName(host), number);
    } catch (UnknownHostException e) {
      throw d.error("host not found in syslog server \"" + address + "\"");
    }
  }
}
