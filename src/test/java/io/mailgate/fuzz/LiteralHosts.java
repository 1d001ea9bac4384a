package io.mailgate.fuzz;

import io.netty.util.NetUtil;

/**
 * Whether {@code HostPort} would answer a {@code host:port} text without a DNS query. The users file and the backend
 * map resolve names with the JDK; a fuzz run must not send thousands of generated names to the machine's resolver,
 * so inputs naming a host are left out and the literal and malformed forms are what gets fuzzed.
 */
final class LiteralHosts {

  private LiteralHosts() {}

  /** True when the text is refused before any lookup, or names an IP literal. */
  static boolean resolvesOffline(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return true;
    }
    String host = hostPort.substring(0, colon);
    // Brackets are checked as IPv6 before any lookup; an unbracketed colon is refused; else only IPv4 literals.
    return host.startsWith("[") || host.indexOf(':') >= 0 || NetUtil.isValidIpV4Address(host);
  }
}
