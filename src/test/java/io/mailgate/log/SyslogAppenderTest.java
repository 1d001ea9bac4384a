package io.mailgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.ErrorLogConfig.SyslogSink;
import io.mailgate.config.LogLevel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SyslogAppenderTest {

  /** nginx-tests' mail_error_log.t reads a datagram with this pattern. */
  private static final Pattern RFC3164 = Pattern.compile(
      "<(\\d{1,3})>([A-Z][a-z]{2}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\S*) (\\w{1,32}): (.*)", Pattern.DOTALL);

  private final LoggerContext context = new LoggerContext();

  {
    // A stand-alone context has no MDC adapter until given one; appenders that copy the MDC need it.
    context.setMDCAdapter(new LogbackMDCAdapter());
  }
  private DatagramSocket receiver;

  @AfterEach
  void tearDown() {
    context.stop();
    if (receiver != null) {
      receiver.close();
    }
  }

  private Logger syslogLogger(int facility, String tag, boolean hostname, LogLevel level) throws Exception {
    receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    receiver.setSoTimeout(2000);
    SyslogSink sink = new SyslogSink(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), receiver.getLocalPort()), facility, tag, hostname,
        level);
    ErrorLogs.configure(context, new ErrorLogConfig(List.of(sink)), List.of());
    return context.getLogger("io.mailgate.t");
  }

  private String receive() throws Exception {
    byte[] buffer = new byte[8192];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    receiver.receive(packet);
    return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
  }

  private List<String> receiveUntilQuiet() throws Exception {
    List<String> all = new ArrayList<>();
    receiver.setSoTimeout(300);
    try {
      while (true) {
        all.add(receive());
      }
    } catch (SocketTimeoutException e) {
      return all;
    }
  }

  @Test
  void sendsNginxsRfc3164DatagramWithHostTagAndTheErrorLogLine() throws Exception {
    Logger logger = syslogLogger(23, "nginx", true, LogLevel.INFO);

    logger.info("*1 client 127.0.0.1 connected to 127.0.0.1:8143");

    Matcher m = RFC3164.matcher(receive());
    assertThat(m.matches()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(23 * 8 + 6);
    assertThat(Integer.parseInt(m.group(3).trim())).isBetween(1, 31);
    assertThat(m.group(7)).isEqualTo(LocalHostName.get()).isLowerCase();
    assertThat(m.group(8)).isEqualTo("nginx");
    assertThat(m.group(9)).matches(
        "\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[info\\] \\d+#\\d+: \\*1 client 127\\.0\\.0\\.1 connected to "
            + "127\\.0\\.0\\.1:8143");
  }

  @Test
  void severityFollowsEachMessagesLevelAndFacilityAndTagAreTheSinks() throws Exception {
    Logger logger = syslogLogger(2, "mailgate", false, LogLevel.DEBUG);

    logger.error(NginxLevels.EMERG, "e");
    logger.error("r");
    logger.warn("w");
    logger.info(NginxLevels.NOTICE, "n");
    logger.info("i");
    logger.debug("d");

    List<String> pris = new ArrayList<>();
    for (String datagram : receiveUntilQuiet()) {
      assertThat(datagram).matches("<\\d+>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d mailgate: .*");
      pris.add(datagram.substring(0, datagram.indexOf('>') + 1));
    }
    assertThat(pris).containsExactly("<16>", "<19>", "<20>", "<21>", "<22>", "<23>");
  }

  @Test
  void messagesBelowTheSinksLevelAreNotSent() throws Exception {
    Logger logger = syslogLogger(23, "nginx", true, LogLevel.NOTICE);

    logger.debug("d");
    logger.info("i");
    logger.info(NginxLevels.NOTICE, "n");
    logger.warn("w");

    assertThat(receiveUntilQuiet()).hasSize(2).allMatch(d -> d.contains("[notice]") || d.contains("[warn]"));
  }

  @Test
  void aDatagramIsOneSanitizedLineWithoutTheStackTrace() throws Exception {
    Logger logger = syslogLogger(23, "nginx", true, LogLevel.INFO);

    logger.error("forged\r\n<190>Jan  1 00:00:00 h nginx: x", new IllegalStateException("boom"));

    String datagram = receive();
    assertThat(datagram).doesNotContain("\n").doesNotContain("\r").contains("forged\\x0D\\x0A<190>")
        .endsWith("(java.lang.IllegalStateException: boom)").doesNotContain("at io.mailgate");
  }

  @Test
  void aServerThatWasDownDoesNotStopLaterDatagrams() throws Exception {
    Logger logger = syslogLogger(23, "nginx", true, LogLevel.INFO);
    int port = receiver.getLocalPort();
    receiver.close();

    // Nobody listens: the ICMP port-unreachable reply must not make the appender give up or throw to the caller.
    logger.info("lost 1");
    logger.info("lost 2");
    Thread.sleep(100);
    receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    receiver.setSoTimeout(2000);
    logger.info("delivered");

    assertThat(receive()).endsWith(": delivered");
  }

  @Test
  void nginxSeveritiesRunFromEmergZeroToDebugSeven() {
    assertThat(SyslogAppender.severity(LogLevel.EMERG)).isZero();
    assertThat(SyslogAppender.severity(LogLevel.ERROR)).isEqualTo(3);
    assertThat(SyslogAppender.severity(LogLevel.INFO)).isEqualTo(6);
    assertThat(SyslogAppender.severity(LogLevel.DEBUG)).isEqualTo(7);
  }
}
