package io.mailgate.config;

import java.util.Optional;

/**
 * {@code access_log} and {@code access_log_format} of one server (inherited from {@code mail}): where the one line
 * per session goes, and in which form. Off by default, as nginx's mail module has no access log.
 *
 * @param destination a file ({@link ErrorLogConfig.FileSink}, resolved against the prefix), standard error or a syslog
 *     server; the sink's level is unused except for syslog, where it is the datagrams' severity ({@code info} unless
 *     {@code severity=} says otherwise); empty for {@code access_log off}
 * @param format {@code text} (nginx-style, the default) or {@code json}
 */
public record AccessLogConfig(Optional<ErrorLogConfig.Sink> destination, Format format) {

  /** No access log. */
  public static final AccessLogConfig OFF = new AccessLogConfig(Optional.empty(), Format.TEXT);

  /** The line formats of {@code access_log_format}. */
  public enum Format {
    /** Space-separated fields, free text quoted, {@code -} for a missing value. */
    TEXT,
    /** One JSON object per line. */
    JSON
  }
}
