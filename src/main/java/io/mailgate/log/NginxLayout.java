package io.mailgate.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Writes nginx's error-log line: {@code 2026/11/29 00:38:15 [info] 4242#17: *3 message, client: ...}.
 * The pid is the JVM's; the number after {@code #} is the thread id, as nginx prints its worker's tid.
 */
public final class NginxLayout extends LayoutBase<ILoggingEvent> {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final long PID = ProcessHandle.current().pid();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(line(event));
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(System.lineSeparator()).append(ThrowableProxyUtil.asString(thrown));
    }
    return line.append('\n').toString();
  }

  /** The line without its end of line and without a stack trace: what a syslog datagram carries. */
  static String line(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(160);
    line.append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp())))
        .append(" [")
        .append(NginxLevels.of(event).word())
        .append("] ")
        .append(PID)
        .append('#')
        .append(threadNumber(event.getThreadName()))
        .append(": ")
        .append(Sanitize.forLog(event.getFormattedMessage(), 4096));
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(" (").append(Sanitize.forLog(thrown.getClassName() + ": " + thrown.getMessage(), 512)).append(')');
    }
    return line.toString();
  }

  /** Event-loop threads are named {@code mailgate-N}; others print 0. */
  private static String threadNumber(String threadName) {
    int dash = threadName.lastIndexOf('-');
    if (dash >= 0 && dash + 1 < threadName.length()) {
      String tail = threadName.substring(dash + 1);
      if (tail.chars().allMatch(Character::isDigit)) {
        return tail;
      }
    }
    return "0";
  }
}
