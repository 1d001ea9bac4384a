package io.mailgate.app;

import io.mailgate.transport.Transport;

/** Version text for {@code -v} and {@code -V}. */
final class Version {

  private Version() {}

  /** {@code mailgate version: mailgate/0.1.0}. */
  static String line() {
    return "mailgate version: mailgate/" + number();
  }

  /** The version from the jar manifest ({@code dev} when run from classes). */
  static String number() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Java, Netty, transport and TLS provider, one per line. */
  static String buildDetails() {
    Transport transport = Transport.detect();
    return "built with Java " + Runtime.version() + ", Netty " + nettyVersion() + "\n"
        + "transport: " + transport.name() + "\n"
        + "TLS provider: " + TlsProviders.describe() + "\n";
  }

  private static String nettyVersion() {
    // The shaded jar keeps one merged versions file, so take whichever Netty module it names.
    return io.netty.util.Version.identify().values().stream()
        .map(io.netty.util.Version::artifactVersion).findFirst().orElse("unknown");
  }
}
