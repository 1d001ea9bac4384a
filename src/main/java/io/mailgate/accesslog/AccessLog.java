package io.mailgate.accesslog;

import io.mailgate.config.ErrorLogConfig;
import io.mailgate.session.SessionEvents;
import io.mailgate.session.SessionRecord;

/**
 * {@code access_log}: one line per session at its end. On the event loop it only copies the record
 * ({@link AccessLogEntry}) and queues it; formatting and writing happen on the access-log thread, and a full queue
 * drops the line rather than wait ({@link AccessLogWriter}). One per server of a configuration.
 */
public final class AccessLog implements SessionEvents {

  private final AccessLogs owner;
  private final ErrorLogConfig.Sink key;
  private final LineSink sink;
  private final LineFormat format;

  AccessLog(AccessLogs owner, ErrorLogConfig.Sink key, LineSink sink, LineFormat format) {
    this.owner = owner;
    this.key = key;
    this.sink = sink;
    this.format = format;
  }

  @Override
  public void closed(SessionRecord session) {
    owner.offer(sink, format, AccessLogEntry.of(session));
  }

  /**
   * The configuration this log belongs to is replaced or failed to start: its destination closes once no
   * configuration uses it. Sessions of that configuration still open write their line all the same.
   */
  public void release() {
    owner.release(key, sink);
  }
}
