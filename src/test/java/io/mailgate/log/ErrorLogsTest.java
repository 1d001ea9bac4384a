package io.mailgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.ErrorLogConfig.FileSink;
import io.mailgate.config.ErrorLogConfig.StderrSink;
import io.mailgate.config.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

class ErrorLogsTest {

  @TempDir
  Path dir;

  private final LoggerContext context = new LoggerContext();

  {
    // A stand-alone context has no MDC adapter until given one; appenders that copy the MDC need it.
    context.setMDCAdapter(new LogbackMDCAdapter());
  }

  @AfterEach
  void tearDown() {
    context.stop();
  }

  private List<String> levels(String file) throws Exception {
    return Files.readAllLines(dir.resolve(file)).stream()
        .map(line -> line.substring(line.indexOf('[') + 1, line.indexOf(']')) + " " + line.substring(
            line.lastIndexOf(' ') + 1))
        .toList();
  }

  private static void logEveryLevel(Logger logger) {
    logger.debug("d");
    logger.info("i");
    logger.info(NginxLevels.NOTICE, "n");
    logger.warn("w");
    logger.error("e");
    logger.error(NginxLevels.CRIT, "c");
  }

  @Test
  void everyFileOfAContextGetsEveryMessageAtOrAboveItsOwnLevel() throws Exception {
    ErrorLogConfig main = new ErrorLogConfig(List.of(
        new FileSink(dir.resolve("debug.log"), LogLevel.DEBUG),
        new FileSink(dir.resolve("notice.log"), LogLevel.NOTICE),
        new FileSink(dir.resolve("error.log"), LogLevel.ERROR)));
    ErrorLogs.configure(context, main, List.of());

    logEveryLevel(context.getLogger("io.mailgate.x"));

    assertThat(levels("debug.log")).containsExactly("debug d", "info i", "notice n", "warn w", "error e", "crit c");
    assertThat(levels("notice.log")).containsExactly("notice n", "warn w", "error e", "crit c");
    assertThat(levels("error.log")).containsExactly("error e", "crit c");
  }

  @Test
  void aServersOwnLogsGetItsLinesAndTheMainLogsDoNot() throws Exception {
    ErrorLogConfig main = new ErrorLogConfig(List.of(new FileSink(dir.resolve("glob.log"), LogLevel.INFO),
        new FileSink(dir.resolve("glob2.log"), LogLevel.INFO)));
    ErrorLogConfig server = new ErrorLogConfig(List.of(new FileSink(dir.resolve("e_debug.log"), LogLevel.DEBUG),
        new FileSink(dir.resolve("e_info.log"), LogLevel.INFO)));
    ErrorLogs.configure(context, main, Arrays.asList(null, server));

    context.getLogger("io.mailgate.app").info("started");
    context.getLogger(ErrorLogs.serverLoggerName(1)).debug("session-debug");
    context.getLogger(ErrorLogs.serverLoggerName(1)).info("session-info");
    context.getLogger(ErrorLogs.serverLoggerName(0)).info("first-server");

    assertThat(levels("glob.log")).containsExactly("info started", "info first-server");
    assertThat(levels("glob2.log")).isEqualTo(levels("glob.log"));
    assertThat(levels("e_debug.log")).containsExactly("debug session-debug", "info session-info");
    assertThat(levels("e_info.log")).containsExactly("info session-info");
  }

  @Test
  void oneFileNamedByTwoContextsGetsTheLinesOfBoth() throws Exception {
    Path shared = dir.resolve("shared.log");
    ErrorLogs.configure(context, new ErrorLogConfig(List.of(new FileSink(shared, LogLevel.INFO))),
        List.of(new ErrorLogConfig(List.of(new FileSink(shared, LogLevel.INFO)))));

    context.getLogger("io.mailgate.app").info("from-main");
    context.getLogger(ErrorLogs.serverLoggerName(0)).info("from-server");

    assertThat(levels("shared.log")).containsExactly("info from-main", "info from-server");
  }

  @Test
  void aStderrSinkKeepsToItsOwnLevelBesideAMoreVerboseFile() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      ErrorLogs.configure(context, new ErrorLogConfig(List.of(
          new FileSink(dir.resolve("all.log"), LogLevel.DEBUG), new StderrSink(LogLevel.INFO))), List.of());
      logEveryLevel(context.getLogger("io.mailgate.x"));
    } finally {
      System.setErr(saved);
    }

    String stderr = err.toString(StandardCharsets.UTF_8);
    assertThat(stderr).contains("[info]", "[notice]", "[crit]").doesNotContain("[debug]");
    assertThat(levels("all.log")).hasSize(6);
  }

  @Test
  void aFileThatCannotBeOpenedIsSaidOnStderrAndTheOtherSinksStillWork() throws Exception {
    Files.writeString(dir.resolve("not-a-dir"), "");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Appenders appenders = new Appenders(context, new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(appenders.create(new FileSink(dir.resolve("not-a-dir/x.log"), LogLevel.INFO), "x")).isNull();
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("mailgate: [emerg] open() \"")
        .contains("not-a-dir/x.log\" failed");
    var ok = appenders.create(new FileSink(dir.resolve("ok.log"), LogLevel.INFO), "ok");
    assertThat(ok.isStarted()).isTrue();
    ok.stop();
  }
}
