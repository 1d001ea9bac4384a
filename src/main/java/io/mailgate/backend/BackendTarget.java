package io.mailgate.backend;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a login's backend is: one or more addresses, tried in this order until one accepts the TCP connection
 * (a backend map line with several addresses, or a host name with several A/AAAA records).
 *
 * @param addresses at least one, resolved
 */
public record BackendTarget(List<InetSocketAddress> addresses) {

  /** Checks and copies. */
  public BackendTarget {
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no backend address");
    }
    for (InetSocketAddress a : addresses) {
      if (a.isUnresolved()) {
        throw new IllegalArgumentException("unresolved backend address " + a);
      }
    }
  }

  /** The target of a single address. */
  public static BackendTarget of(InetSocketAddress address) {
    return new BackendTarget(List.of(address));
  }

  /** The first address: the one a single-address target always uses. */
  public InetSocketAddress first() {
    return addresses.get(0);
  }

  /** nginx's way of printing an address: {@code 127.0.0.1:143}, {@code [::1]:143}. */
  public static String hostAndPort(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  @Override
  public String toString() {
    return addresses.stream().map(BackendTarget::hostAndPort).collect(Collectors.joining(" "));
  }
}
