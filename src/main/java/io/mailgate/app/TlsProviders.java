package io.mailgate.app;

import io.netty.handler.ssl.OpenSsl;

/** Which TLS implementation is available: BoringSSL through netty-tcnative, or the JDK's as a fallback. */
final class TlsProviders {

  private TlsProviders() {}

  /** A one-line description for the start-up log and {@code -V}. */
  static String describe() {
    if (OpenSsl.isAvailable()) {
      return OpenSsl.versionString() + " (netty-tcnative)";
    }
    Throwable why = OpenSsl.unavailabilityCause();
    return "JDK (" + System.getProperty("java.vendor") + " " + System.getProperty("java.version")
        + "; netty-tcnative unavailable: " + (why == null ? "unknown" : why.getMessage()) + ")";
  }
}
