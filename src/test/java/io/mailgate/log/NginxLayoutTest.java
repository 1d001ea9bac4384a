package io.mailgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class NginxLayoutTest {

  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("t");

  private String layout(Level level, org.slf4j.Marker marker, String message) {
    LoggingEvent event = new LoggingEvent("t", logger, level, message, null, null);
    if (marker != null) {
      event.addMarker(marker);
    }
    event.setThreadName("mailgate-3-1");
    NginxLayout layout = new NginxLayout();
    layout.setContext(context);
    layout.start();
    return layout.doLayout(event);
  }

  @Test
  void writesNginxsLineFormatWithPidAndThreadNumber() {
    String line = layout(Level.INFO, null, "*1 client logged in");
    assertThat(line).matches("\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[info\\] \\d+#1: \\*1 client logged in\n");
  }

  @Test
  void nginxOnlyLevelsTravelAsMarkers() {
    assertThat(layout(Level.INFO, NginxLevels.NOTICE, "x")).contains(" [notice] ");
    assertThat(layout(Level.ERROR, NginxLevels.EMERG, "x")).contains(" [emerg] ");
    assertThat(layout(Level.WARN, null, "x")).contains(" [warn] ");
    assertThat(layout(Level.TRACE, null, "x")).contains(" [debug] ");
  }

  @Test
  void controlCharactersCannotForgeLogLines() {
    String line = layout(Level.INFO, null, "login: \"a\r\n2026/01/01 00:00:00 [alert] forged\"");
    assertThat(line).doesNotContain("\r").contains("\\x0D\\x0A").endsWith("\n");
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
  }

  @Test
  void sanitizeCapsLength() {
    assertThat(Sanitize.forLog("y".repeat(500), 10)).isEqualTo("yyyyyyyyyy...");
    assertThat(Sanitize.forLog(null, 10)).isEmpty();
  }
}
