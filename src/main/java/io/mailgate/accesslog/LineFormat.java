package io.mailgate.accesslog;

import io.mailgate.config.AccessLogConfig;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Turns an {@link AccessLogEntry} into one line of text (without its end of line). Runs on the writer thread. */
public interface LineFormat {

  /** ISO-8601 local time with milliseconds and the offset: {@code 2026-12-07T09:12:33.456+01:00}. */
  DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneId.systemDefault());
  /** User names are capped at this many characters (more is cut and marked {@code ...}). */
  int MAX_USER = 256;
  /** Other free text (close reasons, which may quote a peer) is capped at this many characters. */
  int MAX_TEXT = 512;
  /** Labels (protocol, listener, addresses, TLS names): never long, capped all the same. */
  int MAX_TOKEN = 128;

  String format(AccessLogEntry entry);

  /** The format {@code access_log_format} names. */
  static LineFormat of(AccessLogConfig.Format format) {
    return format == AccessLogConfig.Format.JSON ? new JsonLineFormat() : new TextLineFormat();
  }

  /** {@link #TIME} of epoch milliseconds. */
  static String time(long millis) {
    return TIME.format(Instant.ofEpochMilli(millis));
  }
}
