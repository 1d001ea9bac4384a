package io.mailgate.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's host name, nginx's default {@code server_name} (nginx calls gethostname(2)). */
final class HostName {

  private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private HostName() {}

  /** The host name from the kernel, else from the JDK, else {@code localhost}. */
  static String local() {
    try {
      String name = Files.readString(KERNEL_HOSTNAME, StandardCharsets.US_ASCII).trim();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | SecurityException e) {
      // Not Linux or not readable: ask the JDK below.
    }
    try {
      // Start-up only; a lookup here does not block any event loop.
      String name = InetAddress.getLocalHost().getHostName();
      if (name != null && !name.isEmpty()) {
        return name;
      }
    } catch (UnknownHostException e) {
      // Fall through to the last resort.
    }
    return "localhost";
  }
}
