package io.mailgate.log;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The host name a syslog datagram carries: gethostname(2) in lower case, as nginx sends it. */
final class LocalHostName {

  private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private LocalHostName() {}

  /** The kernel's host name, else the JDK's, else {@code localhost}; called while configuring, never on a loop. */
  static String get() {
    String name = null;
    try {
      name = Files.readString(KERNEL_HOSTNAME, StandardCharsets.US_ASCII).trim();
    } catch (IOException | SecurityException e) {
      // Not Linux: ask the JDK below.
    }
    if (name == null || name.isEmpty()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        name = "localhost";
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }
}
