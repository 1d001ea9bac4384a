package io.mailgate.app;

/**
 * Tells a service manager where mailgate's life is (systemd's {@code Type=notify}): ready once the listeners are
 * bound, reloading and ready again around a reload, stopping when a drain starts. Never throws, never blocks long.
 */
interface ServiceNotifier extends AutoCloseable {

  /** Tells no one: no service manager asked. */
  ServiceNotifier NONE = new ServiceNotifier() { };

  /** Listeners bound, pid file written (or a reload finished, whatever its outcome). */
  default void ready() {}

  /** A reload begins. */
  default void reloading() {}

  /** A graceful stop begins. */
  default void stopping() {}

  @Override
  default void close() {}
}
