package io.mailgate.auth;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to one auth service, one small stack per event loop. Each stack is touched only on
 * its own loop, so it needs no lock; the map only finds the stack.
 */
final class AuthConnectionPool {

  private record Idle(Channel channel, ScheduledFuture<?> expiry) {}

  private final int maxIdlePerLoop;
  /** An idle connection is closed after this long ({@code auth_http_idle_timeout}). */
  private final Duration idleTimeout;
  private final ConcurrentMap<EventLoop, Deque<Idle>> byLoop = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** A pool keeping at most {@code maxIdlePerLoop} idle connections per event loop (0: none), 30 s each. */
  AuthConnectionPool(int maxIdlePerLoop) {
    this(maxIdlePerLoop, Duration.ofSeconds(30));
  }

  /** A pool keeping at most {@code maxIdlePerLoop} idle connections per event loop, each {@code idleTimeout}. */
  AuthConnectionPool(int maxIdlePerLoop, Duration idleTimeout) {
    this.maxIdlePerLoop = maxIdlePerLoop;
    this.idleTimeout = idleTimeout;
  }

  /** The most recently used idle connection of {@code loop}, or null. On {@code loop} only. */
  Channel poll(EventLoop loop) {
    Deque<Idle> idle = byLoop.get(loop);
    if (idle == null) {
      return null;
    }
    for (Idle i = idle.pollLast(); i != null; i = idle.pollLast()) {
      i.expiry().cancel(false);
      if (i.channel().isActive()) {
        return i.channel();
      }
      i.channel().close();
    }
    return null;
  }

  /** Keeps {@code channel} for reuse, evicting the oldest when full; closes it after close(). On {@code loop} only. */
  void offer(EventLoop loop, Channel channel) {
    if (closed || maxIdlePerLoop == 0 || !channel.isActive()) {
      channel.close();
      return;
    }
    Deque<Idle> idle = byLoop.computeIfAbsent(loop, l -> new ArrayDeque<>());
    if (idle.size() >= maxIdlePerLoop) {
      Idle oldest = idle.pollFirst();
      oldest.expiry().cancel(false);
      oldest.channel().close();
    }
    ScheduledFuture<?> expiry = loop.schedule(
        () -> {
          channel.close();
        },
        idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
    idle.addLast(new Idle(channel, expiry));
  }

  /** Drops {@code channel} once it is closed. On {@code loop} only. */
  void forget(EventLoop loop, Channel channel) {
    Deque<Idle> idle = byLoop.get(loop);
    if (idle == null) {
      return;
    }
    for (Iterator<Idle> it = idle.iterator(); it.hasNext(); ) {
      Idle i = it.next();
      if (i.channel() == channel) {
        i.expiry().cancel(false);
        it.remove();
        return;
      }
    }
  }

  /** Closes every idle connection, each on its own loop, and pools nothing from now on. Any thread. */
  void close() {
    closed = true;
    byLoop.forEach((loop, idle) -> {
      try {
        loop.execute(() -> closeAll(idle));
      } catch (RejectedExecutionException e) {
        // The loop is shutting down and closes its channels itself.
      }
    });
  }

  private static void closeAll(Deque<Idle> idle) {
    for (Idle i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
      i.expiry().cancel(false);
      i.channel().close();
    }
  }
}
