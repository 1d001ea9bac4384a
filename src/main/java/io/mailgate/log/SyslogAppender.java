package io.mailgate.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.LogLevel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code error_log syslog:...}: each message as one UDP datagram in nginx's RFC 3164 form,
 * {@code <PRI>Mmm dd hh:mm:ss host tag: 2026/11/29 00:38:15 [info] 4242#17: *3 message}. Sending never waits: the
 * channel is non-blocking and unconnected (so a closed port's ICMP reply cannot fail later sends), and a datagram that
 * cannot be sent is dropped, as nginx drops it. Called from any thread, event loops included.
 */
final class SyslogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  /** After a failed socket, nginx waits for the next second before trying again; so does this appender. */
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final InetSocketAddress server;
  private final int facility;
  /** {@code " host tag: "}, or {@code " tag: "} with {@code nohostname}. */
  private final String afterStamp;
  private volatile DatagramChannel channel;
  private volatile long failedAt;
  private volatile boolean failed;

  /** An appender for {@code sink}; {@code hostName} is what the datagrams name unless the sink says nohostname. */
  SyslogAppender(ErrorLogConfig.SyslogSink sink, String hostName) {
    this.server = sink.server();
    this.facility = sink.facility();
    this.afterStamp = SyslogFrame.afterStamp(sink.hostname(), hostName, sink.tag());
  }

  @Override
  public void start() {
    channel = open();
    super.start();
  }

  @Override
  public void stop() {
    super.stop();
    DatagramChannel open = channel;
    channel = null;
    close(open);
  }

  @Override
  protected void append(ILoggingEvent event) {
    DatagramChannel out = channel();
    if (out == null) {
      return;
    }
    ByteBuffer datagram = ByteBuffer.wrap(datagram(event).getBytes(StandardCharsets.UTF_8));
    try {
      // Returns 0 when the socket buffer is full: the message is dropped rather than waited for.
      out.send(datagram, server);
    } catch (IOException e) {
      // Includes ClosedByInterruptException: an interrupted caller closes the channel, so start over later.
      failed(out);
    }
  }

  /** The datagram for {@code event}: the header, then the error-log line without its end of line. */
  String datagram(ILoggingEvent event) {
    return SyslogFrame.frame(facility, NginxLevels.of(event), event.getTimeStamp(), afterStamp, NginxLayout.line(event));
  }

  /** RFC 3164 severities: emerg is 0, debug 7; nginx's levels are the same eight, most severe last in LogLevel. */
  static int severity(LogLevel level) {
    return SyslogFrame.severity(level);
  }

  private DatagramChannel channel() {
    DatagramChannel current = channel;
    if (current != null || !failed || System.nanoTime() - failedAt < RETRY_NANOS) {
      return current;
    }
    synchronized (this) {
      if (channel == null && isStarted()) {
        channel = open();
      }
      return channel;
    }
  }

  private DatagramChannel open() {
    try {
      DatagramChannel opened = DatagramChannel.open();
      opened.configureBlocking(false);
      failed = false;
      return opened;
    } catch (IOException e) {
      addWarn("cannot open a socket for syslog server " + server + ": " + e.getMessage());
      failedAt = System.nanoTime();
      failed = true;
      return null;
    }
  }

  private synchronized void failed(DatagramChannel broken) {
    if (channel == broken) {
      channel = null;
      failedAt = System.nanoTime();
      failed = true;
    }
    close(broken);
  }

  private static void close(DatagramChannel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // Nothing left to do with a socket that will not close.
    }
  }
}
