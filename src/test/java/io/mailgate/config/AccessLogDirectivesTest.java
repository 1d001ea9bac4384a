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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogDirectivesTest {

  @TempDir
  Path dir;

  private final List<String> notices = new ArrayList<>();

  private List<ServerConfig> servers(String mailBody) throws Exception {
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, "mail {\n  auth_http 127.0.0.1:9;\n" + mailBody + "\n}\n");
    return ConfigLoader.load(file, dir, notices::add).servers();
  }

  @Test
  void offByDefault() throws Exception {
    ServerConfig s = servers("server { listen 127.0.0.1:1143; protocol imap; }").get(0);
    assertThat(s.accessLog()).isEqualTo(AccessLogConfig.OFF);
    assertThat(s.accessLog().destination()).isEmpty();
  }

  @Test
  void aServerInheritsMailsLogAndFormatAndMayOverrideEitherOrTurnItOff() throws Exception {
    List<ServerConfig> s = servers("access_log logs/access.log; access_log_format json;\n"
        + "server { listen 127.0.0.1:1143; protocol imap; }\n"
        + "server { listen 127.0.0.1:1110; protocol pop3; access_log stderr; }\n"
        + "server { listen 127.0.0.1:1025; protocol smtp; access_log_format text; }\n"
        + "server { listen 127.0.0.1:1026; protocol smtp; access_log off; }");
    assertThat(s.get(0).accessLog()).isEqualTo(new AccessLogConfig(
        Optional.of(new FileSink(dir.resolve("logs/access.log"), LogLevel.INFO)), AccessLogConfig.Format.JSON));
    assertThat(s.get(1).accessLog()).isEqualTo(new AccessLogConfig(
        Optional.of(new StderrSink(LogLevel.INFO)), AccessLogConfig.Format.JSON));
    assertThat(s.get(2).accessLog().format()).isEqualTo(AccessLogConfig.Format.TEXT);
    assertThat(s.get(2).accessLog().destination()).isEqualTo(s.get(0).accessLog().destination());
    assertThat(s.get(3).accessLog().destination()).isEmpty();
  }

  @Test
  void anAbsolutePathStaysAsWritten() throws Exception {
    ServerConfig s = servers("server { listen 127.0.0.1:1143; protocol imap; access_log /var/log/m/a.log; }").get(0);
    assertThat(s.accessLog().destination()).contains(new FileSink(Path.of("/var/log/m/a.log"), LogLevel.INFO));
  }

  @Test
  void syslogTakesFacilityTagAndSeverityWithNginxsDefaults() throws Exception {
    List<ServerConfig> s = servers(
        "server { listen 127.0.0.1:1143; protocol imap; access_log syslog:server=127.0.0.1:5514,facility=mail,"
            + "tag=mgate,severity=notice; }\n"
            + "server { listen 127.0.0.1:1110; protocol pop3; access_log syslog:server=127.0.0.1; }");
    assertThat(s.get(0).accessLog().destination()).contains(new SyslogSink(
        new InetSocketAddress("127.0.0.1", 5514), 2, "mgate", true, LogLevel.NOTICE));
    assertThat(s.get(1).accessLog().destination()).contains(new SyslogSink(
        new InetSocketAddress("127.0.0.1", 514), 23, "nginx", true, LogLevel.INFO));
  }

  @Test
  void mistakesNameTheFileAndLine() throws Exception {
    assertThatThrownBy(() -> servers("access_log_format csv;\nserver { listen 127.0.0.1:1143; protocol imap; }"))
        .hasMessageContaining("invalid value \"csv\"").hasMessageContaining("nginx.conf:3");
    assertThatThrownBy(() -> servers("access_log a.log;\naccess_log b.log;\nserver { listen 127.0.0.1:1; }"))
        .hasMessageContaining("\"access_log\" directive is duplicate").hasMessageContaining("nginx.conf:4");
    assertThatThrownBy(() -> servers("access_log a.log json;\nserver { listen 127.0.0.1:1143; }"))
        .hasMessageContaining("invalid number of arguments in \"access_log\" directive");
    assertThatThrownBy(() -> servers("access_log syslog:facility=mail;\nserver { listen 127.0.0.1:1143; }"))
        .hasMessageContaining("no syslog server specified");
    assertThatThrownBy(() -> servers("access_log syslog:server=unix:/dev/log;\nserver { listen 127.0.0.1:1143; }"))
        .hasMessageContaining("\"access_log syslog:server=unix:\" is not supported");
  }
}
