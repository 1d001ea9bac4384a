package io.mailgate.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailgate.packaging.Packaging.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd unit shipped in the archive: the directives mailgate relies on, and systemd's own check of it. */
class SystemdUnitIT {

  private static final Path UNIT = Path.of("src/dist/systemd/mailgate.service");
  private static final Path EXAMPLE = Path.of("conf/mailgate.conf.example");
  /** mailgate's shutdown_timeout default: the drain a stop waits for. */
  private static final int SHUTDOWN_TIMEOUT_SECONDS = 10;

  @TempDir Path dir;

  @Test
  void declaresNotifyReloadGracefulStopAndTheSandbox() throws Exception {
    Map<String, List<String>> service = section(Files.readString(UNIT), "Service");

    assertThat(service.get("Type")).containsExactly("notify");
    assertThat(service.get("NotifyAccess")).containsExactly("main");
    assertThat(service.get("ExecStart")).containsExactly("/opt/mailgate/bin/mailgate -c /etc/mailgate/mailgate.conf");
    assertThat(service.get("ExecReload"))
        .containsExactly("/opt/mailgate/bin/mailgate -s reload -c /etc/mailgate/mailgate.conf");
    assertThat(service.get("Restart")).containsExactly("on-failure");
    assertThat(service.get("KillSignal")).containsExactly("SIGTERM");
    // The JVM ends a TERM-initiated stop with status 143; that is a clean stop, not a failure to restart from.
    assertThat(service.get("SuccessExitStatus")).containsExactly("143");
    // systemd kills what still runs after TimeoutStopSec: the drain must fit, whether the default or the example's.
    assertThat(seconds(service.get("TimeoutStopSec").get(0))).isGreaterThan(SHUTDOWN_TIMEOUT_SECONDS)
        .isGreaterThan(exampleShutdownTimeout());
    assertThat(service.get("User")).containsExactly("mailgate");
    for (String yes : List.of("NoNewPrivileges", "ProtectHome", "PrivateTmp")) {
      assertThat(service.get(yes)).as(yes).containsExactly("yes");
    }
    assertThat(service.get("ProtectSystem")).containsExactly("strict");
    assertThat(service.get("AmbientCapabilities")).containsExactly("CAP_NET_BIND_SERVICE");
    assertThat(service.get("CapabilityBoundingSet")).containsExactly("CAP_NET_BIND_SERVICE");
    // 100k sessions hold a client and a backend socket each.
    assertThat(Long.parseLong(service.get("LimitNOFILE").get(0))).isGreaterThanOrEqualTo(262144);
    // The JIT needs writable and executable memory: with this the JVM does not start.
    assertThat(service).doesNotContainKey("MemoryDenyWriteExecute");

    // The deployment example writes its pid file and log where the unit lets it (ProtectSystem=strict).
    String example = Files.readString(EXAMPLE);
    assertThat(example).contains("/run/" + service.get("RuntimeDirectory").get(0) + "/mailgate.pid;")
        .contains("/var/log/" + service.get("LogsDirectory").get(0) + "/error.log");
  }

  @Test
  void systemdAnalyzeFindsNothingToSay() throws Exception {
    assumeTrue(Packaging.onPath("systemd-analyze"), "systemd-analyze is not installed");
    Path home = Packaging.unpackArchive(dir);
    // verify insists that ExecStart's program exists: point the shipped unit at the unpacked archive.
    Path unit = dir.resolve("mailgate.service");
    Files.writeString(unit, Files.readString(home.resolve("systemd/mailgate.service"))
        .replace("/opt/mailgate/", home + "/"));

    Result verify = Packaging.run(Duration.ofSeconds(60), "systemd-analyze", "verify", unit.toString());
    // verify exits 0 even for unknown keys and bad values; it reports them as lines naming the unit.
    assertThat(verify.exit()).as(verify.output()).isZero();
    assertThat(verify.output()).doesNotContain("mailgate.service");
  }

  @Test
  void systemdAnalyzeWouldReportAMistake() throws Exception {
    assumeTrue(Packaging.onPath("systemd-analyze"), "systemd-analyze is not installed");
    Path home = Packaging.unpackArchive(dir);
    Path unit = dir.resolve("mailgate.service");
    Files.writeString(unit, Files.readString(home.resolve("systemd/mailgate.service"))
        .replace("/opt/mailgate/", home + "/").replace("ProtectSystem=strict", "ProtectSystm=strict"));

    Result verify = Packaging.run(Duration.ofSeconds(60), "systemd-analyze", "verify", unit.toString());
    assertThat(verify.output()).contains("mailgate.service").contains("ProtectSystm");
  }

  private static long exampleShutdownTimeout() throws Exception {
    Matcher m = Pattern.compile("\nshutdown_timeout\\s+(\\d+)s;").matcher(Files.readString(EXAMPLE));
    return m.find() ? Long.parseLong(m.group(1)) : SHUTDOWN_TIMEOUT_SECONDS;
  }

  /** The key=value lines of one [section]; keys may repeat. */
  private static Map<String, List<String>> section(String unit, String name) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    String current = null;
    for (String raw : unit.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("[")) {
        current = line.substring(1, line.length() - 1);
      } else if (name.equals(current) && !line.isEmpty() && !line.startsWith("#") && line.contains("=")) {
        int eq = line.indexOf('=');
        values.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
      }
    }
    return values;
  }

  /** systemd's time span, the forms used here: "30s", "2min", "90". */
  private static long seconds(String span) {
    if (span.endsWith("min")) {
      return Long.parseLong(span.substring(0, span.length() - 3)) * 60;
    }
    return Long.parseLong(span.endsWith("s") ? span.substring(0, span.length() - 1) : span);
  }
}
