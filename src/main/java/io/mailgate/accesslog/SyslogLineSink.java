package io.mailgate.accesslog;

import io.mailgate.config.ErrorLogConfig;
import io.mailgate.log.SyslogFrame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * {@code access_log syslog:server=...}: each line one RFC 3164 UDP datagram, in nginx's form, with the configured
 * facility, tag and severity (default local7, nginx, info). A datagram the socket cannot take now is dropped, as
 * nginx drops it; the socket is opened again for the next line after a failure.
 */
final class SyslogLineSink extends LineSink {

  private final InetSocketAddress server;
  private final ErrorLogConfig.SyslogSink config;
  private final String afterStamp;
  private DatagramChannel channel;

  SyslogLineSink(ErrorLogConfig.SyslogSink config, String hostName) {
    this.server = config.server();
    this.config = config;
    this.afterStamp = SyslogFrame.afterStamp(config.hostname(), hostName, config.tag());
  }

  @Override
  synchronized void write(String line) throws IOException {
    String datagram = SyslogFrame.frame(config.facility(), config.level(), System.currentTimeMillis(), afterStamp, line);
    if (channel == null) {
      channel = DatagramChannel.open();
      channel.configureBlocking(false);
    }
    try {
      channel.send(ByteBuffer.wrap(datagram.getBytes(StandardCharsets.UTF_8)), server);
    } catch (IOException e) {
      retire();
      throw e;
    }
  }

  @Override
  synchronized void retire() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing left to do with a socket that will not close.
      }
      channel = null;
    }
  }

  @Override
  public String toString() {
    return "syslog:server=" + server;
  }
}
