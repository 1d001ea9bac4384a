package io.mailgate.backend;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a login's backend is: one or more addresses, tried in this order until one accepts the TCP connection
 * (a backend map line with several addresses, or a host name with several A/AAAA records). Before it can be connected
 * to, a target may also be a host name still to resolve ({@code Auth-Server: imap.internal}): then it holds just that
 * name, as one unresolved address.
 *
 * @param addresses at least one; all resolved, or a single unresolved one
 * @param hostName the host name the addresses were resolved from, if they all came from one: the name the backend's
 *     certificate is checked against by default, as nginx's {@code proxy_ssl_name} defaults to the proxied host
 */
public record BackendTarget(List<InetSocketAddress> addresses, Optional<String> hostName) {

  /** Addresses not resolved from one name (IP literals, or a map line of several entries). */
  public BackendTarget(List<InetSocketAddress> addresses) {
    this(addresses, Optional.empty());
  }

  /** Checks and copies. */
  public BackendTarget {
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no backend address");
    }
    if (addresses.size() > 1 && addresses.stream().anyMatch(InetSocketAddress::isUnresolved)) {
      throw new IllegalArgumentException("an unresolved backend address among others: " + addresses);
    }
  }

  /** A host name and port to resolve before connecting. */
  public static BackendTarget unresolved(String host, int port) {
    return new BackendTarget(List.of(InetSocketAddress.createUnresolved(host, port)), Optional.of(host));
  }

  /** Whether every address is resolved (else this is one name, {@link #first()}'s host). */
  public boolean resolved() {
    return !first().isUnresolved();
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
    if (address.isUnresolved()) {
      return address.getHostString() + ":" + address.getPort();
    }
    String host = address.getAddress().getHostAddress();
    return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  @Override
  public String toString() {
    return addresses.stream().map(BackendTarget::hostAndPort).collect(Collectors.joining(" "));
  }
}
