package io.mailgate.accesslog;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that formats and writes access-log lines, fed by a bounded queue. Event loops only offer to the
 * queue, which never waits: when it is full (the destination is slower than the sessions end) the line is dropped and
 * counted, and the writer says so in the error log at most once a minute, with the count. A line that cannot be
 * written (disk full, file gone) is counted and reported the same way.
 */
final class AccessLogWriter {

  private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
  /** Lines waiting at most: a few seconds of a login storm; a line is a few hundred bytes. */
  static final int DEFAULT_CAPACITY = 16_384;
  private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** One line to write: where, in which format, what. */
  private record Pending(LineSink sink, LineFormat format, AccessLogEntry entry) {}

  private final BlockingQueue<Pending> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;
  private long reportedDropped;
  private long reportedFailed;
  private long reportedAt = System.nanoTime() - REPORT_EVERY_NANOS;

  AccessLogWriter(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::run, "mailgate-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a line; never waits (called on event loops). False when it was dropped. */
  boolean offer(LineSink sink, LineFormat format, AccessLogEntry entry) {
    if (closing || !queue.offer(new Pending(sink, format, entry))) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  /** Lines dropped because the queue was full (or the writer had stopped). */
  long dropped() {
    return dropped.get();
  }

  /** Lines that could not be written. */
  long failed() {
    return failed.get();
  }

  private void run() {
    while (true) {
      Pending next;
      try {
        next = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        next = null;
      }
      if (next != null) {
        write(next);
      } else if (closing) {
        return;
      }
      report();
    }
  }

  private void write(Pending p) {
    try {
      p.sink().write(p.format().format(p.entry()));
    } catch (IOException | RuntimeException e) {
      failed.incrementAndGet();
      if (System.nanoTime() - reportedAt >= REPORT_EVERY_NANOS) {
        LOG.error("access log {}: write failed ({})", p.sink(), e.toString());
      }
    }
  }

  /** At most once a minute: how many lines were dropped or failed since the last report. */
  private void report() {
    long now = System.nanoTime();
    if (now - reportedAt < REPORT_EVERY_NANOS) {
      return;
    }
    long d = dropped.get();
    long f = failed.get();
    if (d == reportedDropped && f == reportedFailed) {
      return;
    }
    LOG.warn("access log: {} lines dropped (queue of {} full), {} lines not written, since the last report",
        d - reportedDropped, queue.remainingCapacity() + queue.size(), f - reportedFailed);
    reportedDropped = d;
    reportedFailed = f;
    reportedAt = now;
  }

  /** Writes what is queued (for at most {@code millis}), then stops; later lines are dropped. */
  void close(long millis) {
    closing = true;
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }
}
