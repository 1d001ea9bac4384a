package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.config.ErrorLogConfig.FileSink;
import io.mailgate.config.ErrorLogConfig.StderrSink;
import io.mailgate.config.ErrorLogConfig.SyslogSink;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorLogDirectivesTest {

  private static final String AUTH = "auth_http 127.0.0.1:9;";

  @TempDir
  Path dir;

  private final List<String> notices = new ArrayList<>();

  private MailgateConfig load(String text) throws Exception {
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, text);
    return ConfigLoader.load(file, dir, notices::add);
  }

  private ErrorLogConfig mainLog(String directive) throws Exception {
    return load(directive).errorLog();
  }

  @Test
  void severalMainErrorLogsAllStayInTheirOrderEachWithItsOwnLevel() throws Exception {
    ErrorLogConfig log = mainLog("error_log a.log info; error_log /tmp/b.log; error_log stderr debug;"
        + " error_log syslog:server=127.0.0.1:5140 warn;");

    assertThat(log.sinks()).containsExactly(
        new FileSink(dir.resolve("a.log"), LogLevel.INFO),
        new FileSink(Path.of("/tmp/b.log"), LogLevel.ERROR),
        new StderrSink(LogLevel.DEBUG),
        new SyslogSink(new InetSocketAddress("127.0.0.1", 5140), 23, "nginx", true, LogLevel.WARN));
    assertThat(log.level()).isEqualTo(LogLevel.DEBUG);
    assertThat(notices).isEmpty();
  }

  @Test
  void aServerWithItsOwnErrorLogsUsesOnlyThoseAndOthersInheritTheMailOnes() throws Exception {
    MailgateConfig config = load("error_log main.log; mail { " + AUTH
        + " error_log mail.log info; error_log syslog:server=127.0.0.1 notice;"
        + " server { listen 127.0.0.1:8143; protocol imap; error_log e_debug.log debug; error_log stderr info; }"
        + " server { listen 127.0.0.1:8144; protocol imap; } }");

    assertThat(config.errorLog().sinks()).containsExactly(new FileSink(dir.resolve("main.log"), LogLevel.ERROR));
    assertThat(config.servers().get(0).errorLog().orElseThrow().sinks()).containsExactly(
        new FileSink(dir.resolve("e_debug.log"), LogLevel.DEBUG), new StderrSink(LogLevel.INFO));
    assertThat(config.servers().get(1).errorLog().orElseThrow().sinks()).containsExactly(
        new FileSink(dir.resolve("mail.log"), LogLevel.INFO),
        new SyslogSink(new InetSocketAddress("127.0.0.1", 514), 23, "nginx", true, LogLevel.NOTICE));
  }

  @Test
  void syslogTakesFacilityTagNohostnameAndAnIpv6Server() throws Exception {
    ErrorLogConfig log = mainLog(
        "error_log syslog:server=[::1]:1514,facility=mail,severity=crit,tag=mail_gate2,nohostname info;");

    assertThat(log.sinks()).containsExactly(
        new SyslogSink(new InetSocketAddress("::1", 1514), 2, "mail_gate2", false, LogLevel.INFO));
  }

  @Test
  void aUnixSyslogSocketIsReportedAndSkipped() throws Exception {
    ErrorLogConfig log = mainLog("error_log a.log; error_log syslog:server=unix:/dev/log;");

    assertThat(log.sinks()).containsExactly(new FileSink(dir.resolve("a.log"), LogLevel.ERROR));
    assertThat(notices).containsExactly(
        "\"error_log syslog:server=unix:\" is not supported, that error_log is ignored");
  }

  @Test
  void debugSubsystemWordsMeanDebug() throws Exception {
    assertThat(mainLog("error_log a.log debug_mail debug_event;").level()).isEqualTo(LogLevel.DEBUG);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "error_log syslog:tag=x;|no syslog server specified",
      "error_log syslog:server=127.0.0.1,server=127.0.0.2;|duplicate syslog \"server\"",
      "error_log syslog:server=127.0.0.1,facility=local8;|unknown syslog facility \"local8\"",
      "error_log syslog:server=127.0.0.1,facility=mail,facility=user;|duplicate syslog \"facility\"",
      "error_log syslog:server=127.0.0.1,severity=err;|unknown syslog severity \"err\"",
      "error_log syslog:server=127.0.0.1,tag=a-b;|syslog \"tag\" only allows alphanumeric characters and underscore",
      "error_log syslog:server=127.0.0.1,tag=abcdefghijabcdefghijabcdefghijabc;|syslog tag length exceeds 32",
      "error_log syslog:server=127.0.0.1,tag=a,tag=b;|duplicate syslog \"tag\"",
      "error_log syslog:server=127.0.0.1,hostname;|unknown syslog parameter \"hostname\"",
      "error_log syslog:server=127.0.0.1:0;|invalid port in syslog server \"127.0.0.1:0\"",
      "error_log syslog:server=127.0.0.1:65536;|invalid port in syslog server \"127.0.0.1:65536\"",
      "error_log syslog:server=:514;|no host in syslog server \":514\"",
      "error_log a.log loud;|invalid log level \"loud\"",
      "error_log a.log info warn;|duplicate log level \"warn\"",
      "error_log a.log info debug_mail;|invalid log level \"debug_mail\"",
  })
  void badErrorLogsFailWithNginxsMessage(String directive, String message) {
    assertThatThrownBy(() -> load(directive))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message + " in ");
  }

  @Test
  void anErrorLogNeedsASink() {
    assertThatThrownBy(() -> new ErrorLogConfig(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
