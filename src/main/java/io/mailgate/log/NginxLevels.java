package io.mailgate.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mailgate.config.LogLevel;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * nginx has eight log levels, SLF4J five. The nginx-only ones travel as markers on the nearest SLF4J level:
 * {@code notice} on INFO, {@code crit}/{@code alert}/{@code emerg} on ERROR.
 */
public final class NginxLevels {

  /** nginx's {@code [notice]}: start-up and shutdown facts. */
  public static final Marker NOTICE = MarkerFactory.getMarker("notice");
  /** nginx's {@code [crit]}. */
  public static final Marker CRIT = MarkerFactory.getMarker("crit");
  /** nginx's {@code [alert]}: the nginx-tests harness fails a test on any such line; only for real emergencies. */
  public static final Marker ALERT = MarkerFactory.getMarker("alert");
  /** nginx's {@code [emerg]}: mailgate cannot run. */
  public static final Marker EMERG = MarkerFactory.getMarker("emerg");

  private NginxLevels() {}

  /** The nginx level of a logged event. */
  public static LogLevel of(ILoggingEvent event) {
    List<Marker> markers = event.getMarkerList();
    if (markers != null) {
      for (Marker m : markers) {
        LogLevel byMarker = LogLevel.fromWord(m.getName()).orElse(null);
        if (byMarker != null) {
          return byMarker;
        }
      }
    }
    Level level = event.getLevel();
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return LogLevel.ERROR;
    }
    if (level.isGreaterOrEqual(Level.WARN)) {
      return LogLevel.WARN;
    }
    if (level.isGreaterOrEqual(Level.INFO)) {
      return LogLevel.INFO;
    }
    return LogLevel.DEBUG;
  }
}
