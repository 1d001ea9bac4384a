package io.mailgate.transport;

import io.netty.channel.EventLoop;

/**
 * Caps the connections each event-loop thread holds ({@code events { worker_connections }}): client, backend and
 * auth connections all count, as nginx counts them per worker. Called only on {@code loop} itself.
 */
public interface ConnectionGate {

  /** Takes a slot on {@code loop}; false when the loop is full. */
  boolean tryAcquire(EventLoop loop);

  /** Returns a slot taken with {@link #tryAcquire}. */
  void release(EventLoop loop);

  /** A gate that never refuses (tests). */
  ConnectionGate UNLIMITED = new ConnectionGate() {
    @Override
    public boolean tryAcquire(EventLoop loop) {
      return true;
    }

    @Override
    public void release(EventLoop loop) {}
  };
}
