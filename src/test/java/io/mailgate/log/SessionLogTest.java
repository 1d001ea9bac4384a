package io.mailgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.ErrorLogConfig.FileSink;
import io.mailgate.config.LogLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLogTest {

  @TempDir
  Path dir;

  @AfterEach
  void restoreLogging() {
    ErrorLogs.configureStderr(LogLevel.WARN);
  }

  @Test
  void anAcceptedSessionSaysWhoConnectedAtInfoAndTheAcceptAtDebug() throws Exception {
    ErrorLogConfig main = new ErrorLogConfig(List.of(new FileSink(dir.resolve("main.log"), LogLevel.DEBUG)));
    ErrorLogConfig server = new ErrorLogConfig(List.of(
        new FileSink(dir.resolve("debug.log"), LogLevel.DEBUG), new FileSink(dir.resolve("info.log"), LogLevel.INFO)));
    ErrorLogs.configure(main, List.of(server));

    SessionLog log = new SessionLog(ErrorLogs.serverLoggerName(0), 7, "10.0.0.1", "0.0.0.0:143", "5f3a9c0100000007");
    log.accepted();
    log.info("client timed out");

    assertThat(Files.readAllLines(dir.resolve("info.log")))
        .hasSize(2)
        .satisfiesExactly(
            l -> assertThat(l).contains(" [info] ").endsWith(": *7 client 10.0.0.1 connected to 0.0.0.0:143, session: 5f3a9c0100000007"),
            l -> assertThat(l).endsWith(": *7 client timed out, client: 10.0.0.1, server: 0.0.0.0:143, session: 5f3a9c0100000007"));
    assertThat(Files.readAllLines(dir.resolve("debug.log")))
        .hasSize(3)
        .first().asString().contains(" [debug] ").endsWith(": *7 accept: 10.0.0.1 on 0.0.0.0:143, session: 5f3a9c0100000007");
    assertThat(Files.readAllLines(dir.resolve("main.log"))).isEmpty();
  }
}
