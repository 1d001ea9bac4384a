package io.mailgate.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code resolver} and {@code resolver_timeout} of a server: the DNS servers SMTP asks for the client's host name
 * (nginx's ngx_mail_core_module). Servers whose {@link NameServers} are equal share one resolver and its cache.
 *
 * @param nameServers the {@code resolver} line
 * @param timeout {@code resolver_timeout} (default 30s): the limit for each of the two lookups (PTR, then A/AAAA)
 */
public record ResolverConfig(NameServers nameServers, Duration timeout) {

  /** nginx's resolver port when the address has none. */
  private static final int DNS_PORT = 53;

  /**
   * The servers and options of one {@code resolver} line.
   *
   * @param addresses the DNS servers, in order (nginx asks them in turn)
   * @param valid {@code valid=}: cache answers this long instead of their TTL
   * @param ipv4 {@code ipv4=} (default on): look up A records
   * @param ipv6 {@code ipv6=} (default on): look up AAAA records
   */
  public record NameServers(List<InetSocketAddress> addresses, Optional<Duration> valid, boolean ipv4, boolean ipv6) {
    public NameServers {
      addresses = List.copyOf(addresses);
    }
  }

  /**
   * Parses {@code resolver ADDRESS[:PORT] ... [valid=TIME] [ipv4=on|off] [ipv6=on|off] [status_zone=NAME]};
   * empty for {@code resolver off}. Host names are resolved here, at start-up, as nginx does.
   */
  static Optional<NameServers> parse(Directive d) throws ConfigException {
    if (d.arg(0).equals("off")) {
      return Optional.empty();
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    Optional<Duration> valid = Optional.empty();
    boolean ipv4 = true;
    boolean ipv6 = true;
    for (String arg : d.args()) {
      if (arg.startsWith("valid=")) {
        valid = Optional.of(Times.parseSeconds(arg.substring(6)).orElseThrow(() -> invalidParameter(d, arg)));
      } else if (arg.startsWith("ipv4=")) {
        ipv4 = onOff(d, arg, 5);
      } else if (arg.startsWith("ipv6=")) {
        ipv6 = onOff(d, arg, 5);
      } else if (arg.startsWith("status_zone=")) {
        // nginx's shared-memory statistics zone: mailgate keeps no such zone.
        continue;
      } else {
        addresses.addAll(addresses(d, arg));
      }
    }
    if (!ipv4 && !ipv6) {
      throw d.error("\"ipv4\" and \"ipv6\" cannot both be \"off\"");
    }
    if (addresses.isEmpty()) {
      throw d.error("no name servers defined");
    }
    return Optional.of(new NameServers(addresses, valid, ipv4, ipv6));
  }

  private static boolean onOff(Directive d, String arg, int skip) throws ConfigException {
    String value = arg.substring(skip);
    if (value.equals("on")) {
      return true;
    }
    if (value.equals("off")) {
      return false;
    }
    throw invalidParameter(d, arg);
  }

  /** {@code 127.0.0.1}, {@code 127.0.0.1:5353}, {@code [::1]:53}, {@code ::1}, {@code dns.example.net[:port]}. */
  private static List<InetSocketAddress> addresses(Directive d, String url) throws ConfigException {
    String host = url;
    int port = DNS_PORT;
    if (url.startsWith("[")) {
      int close = url.indexOf(']');
      if (close < 0) {
        throw bad(d, "invalid host", url);
      }
      host = url.substring(1, close);
      if (close + 1 < url.length()) {
        if (url.charAt(close + 1) != ':') {
          throw bad(d, "invalid host", url);
        }
        port = port(d, url, url.substring(close + 2));
      }
    } else if (url.indexOf(':') == url.lastIndexOf(':') && url.indexOf(':') >= 0) {
      host = url.substring(0, url.indexOf(':'));
      port = port(d, url, url.substring(url.indexOf(':') + 1));
    }
    if (host.isEmpty()) {
      throw bad(d, "no host", url);
    }
    List<InetSocketAddress> out = new ArrayList<>();
    try {
      if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
        out.add(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port));
      } else {
        // Start-up, not an event loop: the JDK's resolver is fine for the resolver's own address.
        for (InetAddress a : InetAddress.getAllByName(host)) {
          out.add(new InetSocketAddress(a, port));
        }
      }
    } catch (UnknownHostException e) {
      throw bad(d, "host not found", url);
    }
    return out;
  }

  private static int port(Directive d, String url, String text) throws ConfigException {
    int port = Numbers.parse(text).orElse(0);
    if (port < 1 || port > 65535) {
      throw bad(d, "invalid port", url);
    }
    return port;
  }

  private static ConfigException bad(Directive d, String what, String url) {
    return d.error(what + " in resolver \"" + url + "\"");
  }

  private static ConfigException invalidParameter(Directive d, String arg) {
    return d.error("invalid parameter: " + arg);
  }
}
