package io.mailgate.accesslog;

import io.mailgate.config.AccessLogConfig;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.log.SyslogFrame;
import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every access-log destination of a running mailgate and the thread that writes to them; made once and kept across
 * reloads. Each configuration takes the destinations its servers name ({@link #open}) and gives them back when it
 * is replaced ({@link AccessLog#release}); a destination named by two configurations (the usual reload) is one open
 * file. Destinations are keyed by their configured form, so two servers naming one file share its descriptor.
 */
public final class AccessLogs implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AccessLogs.class);

  private final int capacity;
  private final PrintStream stderr;
  /** Started with the first access log, so that a mailgate without one has no idle thread. */
  private volatile AccessLogWriter writer;
  private final Map<ErrorLogConfig.Sink, Shared> sinks = new HashMap<>();
  private String hostName;

  public AccessLogs() {
    this(AccessLogWriter.DEFAULT_CAPACITY, System.err);
  }

  AccessLogs(int capacity, PrintStream stderr) {
    this.capacity = capacity;
    this.stderr = stderr;
  }

  /** A destination and how many configurations use it. */
  private static final class Shared {
    final LineSink sink;
    int users;

    Shared(LineSink sink) {
      this.sink = sink;
    }
  }

  /**
   * The watcher that writes {@code config}'s line for each session of one server, or null for {@code access_log off}. Opens the destination now (a file that cannot be opened fails the start or reload).
   *
   * @throws IOException naming the file
   */
  public synchronized AccessLog open(AccessLogConfig config) throws IOException {
    if (config.destination().isEmpty()) {
      return null;
    }
    ErrorLogConfig.Sink key = config.destination().get();
    Shared shared = sinks.get(key);
    if (shared == null) {
      shared = new Shared(create(key));
      sinks.put(key, shared);
    }
    shared.users++;
    if (writer == null) {
      writer = new AccessLogWriter(capacity);
    }
    return new AccessLog(this, key, shared.sink, LineFormat.of(config.format()));
  }

  private LineSink create(ErrorLogConfig.Sink sink) throws IOException {
    if (sink instanceof ErrorLogConfig.FileSink file) {
      try {
        return new FileLineSink(file.file());
      } catch (IOException | SecurityException e) {
        throw new IOException("open() \"" + file.file() + "\" failed (" + e.getMessage() + ")", e);
      }
    }
    if (sink instanceof ErrorLogConfig.SyslogSink syslog) {
      if (hostName == null) {
        hostName = SyslogFrame.localHostName();
      }
      return new SyslogLineSink(syslog, hostName);
    }
    return new StderrLineSink(stderr);
  }

  /** A configuration no longer uses {@code key}: the last one to let go closes its descriptor. */
  synchronized void release(ErrorLogConfig.Sink key, LineSink sink) {
    Shared shared = sinks.get(key);
    if (shared == null || shared.sink != sink) {
      return;
    }
    if (--shared.users == 0) {
      sinks.remove(key);
      sink.retire();
    }
  }

  /** USR1: every access-log file is opened anew. */
  public synchronized void reopen() {
    for (Shared shared : sinks.values()) {
      try {
        shared.sink.reopen();
      } catch (IOException | SecurityException e) {
        LOG.error("reopening access log {} failed ({}), writing on to the old file", shared.sink, e.getMessage());
      }
    }
  }

  boolean offer(LineSink sink, LineFormat format, AccessLogEntry entry) {
    return writer.offer(sink, format, entry);
  }

  /** Lines dropped since start-up because the writer could not keep up. */
  public long dropped() {
    AccessLogWriter w = writer;
    return w == null ? 0 : w.dropped();
  }

  /** Writes what is queued (at most two seconds), then closes every destination. After the event loops stopped. */
  @Override
  public void close() {
    AccessLogWriter w = writer;
    if (w != null) {
      w.close(2000);
    }
    synchronized (this) {
      sinks.values().forEach(s -> s.sink.retire());
      sinks.clear();
    }
  }
}
