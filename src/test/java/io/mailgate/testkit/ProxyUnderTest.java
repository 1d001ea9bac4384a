package io.mailgate.testkit;

import io.mailgate.app.Mailgate;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.LogLevel;
import io.mailgate.config.MailgateConfig;
import io.mailgate.log.ErrorLogs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** mailgate started in-process from a config text, on a free loopback port; {@code %PORT%} in the text is replaced. */
public final class ProxyUnderTest implements AutoCloseable {

  private final Mailgate mailgate;
  private final int port;

  private ProxyUnderTest(Mailgate mailgate, int port) {
    this.mailgate = mailgate;
    this.port = port;
  }

  /** Starts mailgate with {@code mailBlockBody} as the inside of {@code mail {}}, listening on %PORT%. */
  public static ProxyUnderTest start(Path dir, String mailBlockBody) throws Exception {
    return startWholeConfig(dir, "pid mailgate.pid;\nerror_log stderr debug;\nevents { worker_connections 256; }\n"
        + "mail {\n" + mailBlockBody + "\n}\n");
  }

  /** Starts mailgate with a whole configuration text; %PORT% is replaced by a free port. */
  public static ProxyUnderTest startWholeConfig(Path dir, String configText) throws Exception {
    int port = freePort();
    String text = configText.replace("%PORT%", Integer.toString(port));
    Path conf = dir.resolve("mailgate.conf");
    Files.writeString(conf, text);
    List<String> notices = new ArrayList<>();
    MailgateConfig config = ConfigLoader.load(conf, dir, notices::add);
    ErrorLogs.configureStderr(LogLevel.DEBUG);
    LeakWatcher.install();
    Mailgate mailgate = new Mailgate(config, notices);
    mailgate.start();
    return new ProxyUnderTest(mailgate, port);
  }

  /** A port that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Applies the configuration's {@code error_log} lines, as USR1 does: {@link #start} logs to stderr only, so a test
   * that reads mailgate's own error-log files (written by its appenders and layout) calls this first.
   */
  public void reopenLogs() {
    mailgate.reopenLogs();
  }

  /** The listening port. */
  public int port() {
    return port;
  }

  @Override
  public void close() {
    mailgate.stop();
  }
}
