package io.mailgate.log;

import io.mailgate.config.LogLevel;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * nginx's RFC 3164 datagram, {@code <PRI>Mmm dd hh:mm:ss host tag: text}, shared by the error log's syslog appender
 * and the access log's syslog sink.
 */
public final class SyslogFrame {

  /** RFC 3164 section 4.1.2: English month, day padded with a space, local time. */
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH).withZone(ZoneId.systemDefault());
  /** nginx's NGX_MAX_ERROR_STR: longer text is cut. */
  public static final int MAX_TEXT = 2048;

  private SyslogFrame() {}

  /** {@code " host tag: "}, or {@code " tag: "} when the host is not named ({@code nohostname}). */
  public static String afterStamp(boolean withHost, String hostName, String tag) {
    return (withHost ? " " + hostName : "") + " " + tag + ": ";
  }

  /** The datagram text; {@code text} is cut to {@link #MAX_TEXT} characters. */
  public static String frame(int facility, LogLevel level, long millis, String afterStamp, String text) {
    String body = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
    int pri = facility * 8 + severity(level);
    return "<" + pri + ">" + STAMP.format(Instant.ofEpochMilli(millis)) + afterStamp + body;
  }

  /** RFC 3164 severities: emerg is 0, debug 7; nginx's levels are the same eight, most severe last in LogLevel. */
  public static int severity(LogLevel level) {
    return LogLevel.EMERG.ordinal() - level.ordinal();
  }

  /** This machine's name as syslog datagrams give it; looked up each call (configuration time only). */
  public static String localHostName() {
    return LocalHostName.get();
  }
}
