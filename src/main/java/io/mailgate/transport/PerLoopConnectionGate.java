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

  private final int limit;
  private final Map<EventExecutor, int[]> inUse = new IdentityHashMap<>();

  /** A gate of {@code limit} connections for each loop of {@code group}. */
  public PerLoopConnectionGate(EventLoopGroup group, int limit) {
    this.limit = limit;
    for (EventExecutor loop : group) {
      inUse.put(loop, new int[1]);
    }
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
