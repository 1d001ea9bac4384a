package io.mailgate.bench;

import java.net.InetSocketAddress;

/**
 * A {@code host:port} pair ({@code [::1]:143} for IPv6).
 *
 * @param host literal address or name
 * @param port TCP port
 */
public record HostPort(String host, int port) {

  /** Parses {@code host:port}, {@code [v6]:port} or a bare {@code port} (on 127.0.0.1). */
  public static HostPort parse(String text) {
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon < 0) {
      return new HostPort("127.0.0.1", Integer.parseInt(t));
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new HostPort(host.isEmpty() ? "127.0.0.1" : host, Integer.parseInt(t.substring(colon + 1)));
  }

  /** An unresolved-free socket address (the host is a literal on this machine, so no DNS). */
  public InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
