package io.mailgate.transport;

import io.mailgate.log.NginxLevels;
import io.mailgate.throttle.RateLimitedLog;
import io.netty.util.internal.OutOfDirectMemoryError;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct-memory exhaustion ({@code -XX:MaxDirectMemorySize}, Netty's own limit): a session whose buffer could not be
 * allocated ends alone (its handlers close just that session, with one line), and for a second after any such
 * failure new connections are refused: closed at once, counted as refused ({@value #REFUSAL}), with one line per
 * 10 s. The memory left then goes to the sessions already open rather than to new ones that would fail in turn;
 * once a second passes without a failure, connections are accepted again.
 *
 * <p>Why a failure and not a high-water mark on {@link PlatformDependent#usedDirectMemory()}: Netty's pooling
 * allocator keeps the chunks it has reserved after the buffers in them are released, to reuse them, so the reserved
 * figure stays near its peak once a spike is over although the memory is free for new buffers; a mark on it would
 * refuse connections for good after one burst. A failed allocation is the one sure sign.
 *
 * <p>Process-wide state, as the memory and Netty's counter of it are: every server and configuration shares the one
 * behind the static methods (tests make their own).
 */
public final class DirectMemory {

  /** The {@code limit} label of the connections refused meanwhile. */
  public static final String REFUSAL = "direct_memory";

  /** How long after a failed allocation new connections are refused. */
  static final long REFUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Logger LOG = LoggerFactory.getLogger(DirectMemory.class);
  /** The process's: the memory and Netty's counter of it are process-wide. */
  private static final DirectMemory PROCESS = new DirectMemory(System::nanoTime);

  private final LongSupplier nanoClock;
  private final AtomicLong lastFailure;
  private final RateLimitedLog refusals;

  DirectMemory(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.lastFailure = new AtomicLong(nanoClock.getAsLong() - 2 * REFUSE_NANOS);
    this.refusals = new RateLimitedLog(TimeUnit.SECONDS.toNanos(10), nanoClock);
  }

  /**
   * Whether {@code cause} (or one of its causes) is a failed direct allocation: Netty's
   * {@link OutOfDirectMemoryError}, or the JDK's "Direct buffer memory" when Netty allocates with a cleaner. If so,
   * new connections are refused for the next second.
   */
  public static boolean exhausted(Throwable cause) {
    return PROCESS.failed(cause);
  }

  /**
   * Whether a new connection on {@code listen} is to be refused now; if so, logs it (at most once per 10 s, with the
   * count of refusals held back).
   */
  public static boolean refuses(String listen) {
    return PROCESS.refusing(listen);
  }

  boolean failed(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfDirectMemoryError
          || t instanceof OutOfMemoryError && String.valueOf(t.getMessage()).contains("Direct buffer memory")) {
        lastFailure.set(nanoClock.getAsLong());
        return true;
      }
    }
    return false;
  }

  boolean refusing(String listen) {
    if (nanoClock.getAsLong() - lastFailure.get() >= REFUSE_NANOS) {
      return false;
    }
    long held = refusals.tryAcquire();
    if (held >= 0) {
      LOG.error(NginxLevels.ALERT, "direct memory exhausted (used: {}, max: {}), connection refused on {}{}",
          PlatformDependent.usedDirectMemory(), PlatformDependent.maxDirectMemory(), listen,
          held > 0 ? " (" + held + " more refusals not logged)" : "");
    }
    return true;
  }
}
