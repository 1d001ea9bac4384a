package io.mailgate.app;

/** The service notifier this process should use: systemd's when {@code NOTIFY_SOCKET} names one, else none. */
final class ServiceNotifiers {

  private ServiceNotifiers() {}

  static ServiceNotifier fromEnvironment() {
    return ServiceNotifier.NONE;
  }
}
