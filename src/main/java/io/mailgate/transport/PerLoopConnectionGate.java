package io.mailgate.transport;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@code worker_connections} per event-loop thread, as nginx counts per worker. Each loop's counter is touched only by
 * that loop's thread, so a plain int suffices; the map itself is built once and never changes.
 */
public final class PerLoopConnectionGate implements ConnectionGate {

  /** Set by a reload ({@code worker_connections}), read by every loop: volatile. */
  private volatile int limit;
  private final Map<EventExecutor, int[]> inUse = new IdentityHashMap<>();

  /** A gate of {@code limit} connections for each loop of {@code group}. */
  public PerLoopConnectionGate(EventLoopGroup group, int limit) {
    this.limit = limit;
    for (EventExecutor loop : group) {
      inUse.put(loop, new int[1]);
    }
  }

  /**
   * A reload's new {@code worker_connections}: new connections count against it; connections already open above a
   * lower limit stay.
   */
  public void setLimit(int limit) {
    this.limit = limit;
  }

  @Override
  public boolean tryAcquire(EventLoop loop) {
    int[] count = counter(loop);
    if (count[0] >= limit) {
      return false;
    }
    count[0]++;
    return true;
  }

  @Override
  public void release(EventLoop loop) {
    counter(loop)[0]--;
  }

  private int[] counter(EventLoop loop) {
    int[] count = inUse.get(loop);
    if (count == null) {
      throw new IllegalArgumentException("event loop not in this gate's group");
    }
    return count;
  }
}
