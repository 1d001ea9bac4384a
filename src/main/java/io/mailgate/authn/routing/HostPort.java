package io.mailgate.authn.routing;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses backend addresses written as {@code host:port}: an IPv4 literal, a host name, or an IPv6 literal in brackets
 * ({@code [::1]:143}, RFC 3986 section 3.2.2). Names are resolved here, with the JDK resolver, so this runs only while
 * loading a file (start-up or a reload on a worker thread), never on an event loop.
 */
public final class HostPort {

  private HostPort() {}

  /**
   * The address {@code text} names.
   *
   * @throws IllegalArgumentException if the text is not {@code host:port} or the name does not resolve; the message
   *     says why and is safe to show in a load error
   */
  public static InetSocketAddress parse(String text) {
    return parseAll(text).get(0);
  }

  /**
   * Every address {@code text} names: all A and AAAA records of a host name, in the resolver's order (one address for
   * a literal), so that a login can fail over from one to the next.
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static List<InetSocketAddress> parseAll(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got \"" + text + "\"");
    }
    String host = text.substring(0, colon);
    int port = port(text.substring(colon + 1));
    if (host.startsWith("[")) {
      if (!host.endsWith("]") || !NetUtil.isValidIpV6Address(host.substring(1, host.length() - 1))) {
        throw new IllegalArgumentException("bad IPv6 address \"" + host + "\"");
      }
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("IPv6 addresses must be written in brackets: \"" + text + "\"");
    }
    try {
      List<InetSocketAddress> all = new ArrayList<>();
      for (InetAddress address : InetAddress.getAllByName(host)) {
        all.add(new InetSocketAddress(address, port));
      }
      return all;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host \"" + host + "\" not found");
    }
  }

  /** The host of {@code host:port} when it is a name rather than an IP literal (checked by {@link #parse} first). */
  public static Optional<String> hostName(String text) {
    String host = text.substring(0, text.lastIndexOf(':'));
    return host.startsWith("[") || NetUtil.isValidIpV4Address(host) ? Optional.empty() : Optional.of(host);
  }

  private static int port(String digits) {
    if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("bad port \"" + digits + "\"");
    }
    int port = Integer.parseInt(digits);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " out of range 1-65535");
    }
    return port;
  }
}
