package io.mailgate.config;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Parses a mail {@code listen} directive. A host name is resolved here, at start-up, and (as nginx does) gives one
 * listener per distinct address.
 */
final class ListenParser {

  private static final int DEFAULT_BACKLOG = 511;

  private ListenParser() {}

  /** One listener per address the first argument stands for, each with the parameters that follow it. */
  static List<ListenConfig> parse(Directive d) throws ConfigException {
    List<Endpoint> endpoints = endpoints(d, d.arg(0));
    Params p = params(d);
    List<ListenConfig> out = new ArrayList<>();
    for (Endpoint e : endpoints) {
      out.add(new ListenConfig(
          e.address, e.text, p.backlog, p.rcvbuf, p.sndbuf, p.keepAlive, p.ssl, p.proxyProtocol));
    }
    return out;
  }

  /** The port of a TCP listener, for protocol inference; empty for unix sockets. */
  static OptionalInt port(ListenConfig listen) {
    if (listen.address() instanceof InetSocketAddress inet) {
      return OptionalInt.of(inet.getPort());
    }
    return OptionalInt.empty();
  }

  /**
   * The address of {@code metrics_listen}: a TCP address as {@code listen} takes it, without parameters. A host name
   * standing for several addresses gives the first.
   */
  static MetricsListen metricsListen(Directive d) throws ConfigException {
    String url = d.arg(0);
    if (url.startsWith("unix:")) {
      throw bad(d, "unix domain socket", url);
    }
    Endpoint first = endpoints(d, url).get(0);
    return new MetricsListen((InetSocketAddress) first.address, first.text);
  }

  private record Endpoint(java.net.SocketAddress address, String text) {}

  private static List<Endpoint> endpoints(Directive d, String url) throws ConfigException {
    if (url.startsWith("unix:")) {
      String path = url.substring(5);
      if (path.isEmpty()) {
        throw bad(d, "no path in the unix domain socket", url);
      }
      return List.of(new Endpoint(new DomainSocketAddress(path), "unix:" + path));
    }
    String host;
    String portText;
    if (url.startsWith("[")) {
      int close = url.indexOf(']');
      if (close < 0 || !NetUtil.isValidIpV6Address(url.substring(1, close))) {
        throw bad(d, "invalid IPv6 address", url);
      }
      host = url.substring(1, close);
      if (close + 1 >= url.length() || url.charAt(close + 1) != ':') {
        throw bad(d, "no port", url);
      }
      portText = url.substring(close + 2);
    } else {
      int colon = url.lastIndexOf(':');
      if (colon < 0) {
        if (Numbers.parse(url).isEmpty()) {
          throw bad(d, "no port", url);
        }
        host = "*";
        portText = url;
      } else {
        host = url.substring(0, colon);
        portText = url.substring(colon + 1);
      }
      if (host.isEmpty() || host.indexOf(':') >= 0) {
        throw bad(d, "invalid host", url);
      }
    }
    int port = Numbers.parse(portText).orElse(0);
    if (port < 1 || port > 65535) {
      throw bad(d, "invalid port", url);
    }
    List<Endpoint> out = new ArrayList<>();
    for (InetAddress a : resolve(d, host, url)) {
      out.add(new Endpoint(new InetSocketAddress(a, port), text(a, port)));
    }
    return out;
  }

  private static Set<InetAddress> resolve(Directive d, String host, String url) throws ConfigException {
    Set<InetAddress> out = new LinkedHashSet<>();
    try {
      if (host.equals("*")) {
        out.add(InetAddress.getByName("0.0.0.0"));
      } else if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
        // A literal: getByName parses it without any DNS query.
        out.add(InetAddress.getByName(host));
      } else {
        // Start-up, not an event loop: the JDK resolver is fine here.
        out.addAll(List.of(InetAddress.getAllByName(host)));
      }
    } catch (UnknownHostException e) {
      throw bad(d, "host not found", url);
    }
    return out;
  }

  /** nginx's text for an address: {@code 127.0.0.1:143}, {@code [::1]:143}. */
  static String text(InetAddress a, int port) {
    String host = NetUtil.toAddressString(a);
    return (a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
  }

  private static ConfigException bad(Directive d, String what, String url) {
    return d.error(what + " in \"" + url + "\" of the \"" + d.name() + "\" directive");
  }

  /** The parameters after the address. */
  private static final class Params {
    int backlog = DEFAULT_BACKLOG;
    OptionalInt rcvbuf = OptionalInt.empty();
    OptionalInt sndbuf = OptionalInt.empty();
    Optional<ListenConfig.KeepAlive> keepAlive = Optional.empty();
    boolean ssl;
    boolean proxyProtocol;
  }

  private static Params params(Directive d) throws ConfigException {
    Params p = new Params();
    for (String v : d.args().subList(1, d.args().size())) {
      if (v.equals("bind")) {
        continue;
      } else if (v.startsWith("backlog=")) {
        OptionalInt n = Numbers.parse(v.substring(8));
        if (n.isEmpty() || n.getAsInt() == 0) {
          throw d.error("invalid backlog \"" + v + "\"");
        }
        p.backlog = n.getAsInt();
      } else if (v.startsWith("rcvbuf=")) {
        p.rcvbuf = buffer(d, v, 7, "rcvbuf");
      } else if (v.startsWith("sndbuf=")) {
        p.sndbuf = buffer(d, v, 7, "sndbuf");
      } else if (v.startsWith("ipv6only=")) {
        // Accepted for compatibility; mailgate leaves IPV6_V6ONLY to the platform default.
        if (!v.equals("ipv6only=on") && !v.equals("ipv6only=off")) {
          throw d.error("invalid ipv6only flags \"" + v.substring(9) + "\"");
        }
      } else if (v.startsWith("so_keepalive=")) {
        p.keepAlive = Optional.of(keepAlive(d, v.substring(13)));
      } else if (v.equals("proxy_protocol")) {
        p.proxyProtocol = true;
      } else if (v.equals("ssl")) {
        p.ssl = true;
      } else {
        throw d.error("invalid parameter \"" + v + "\"");
      }
    }
    return p;
  }

  private static OptionalInt buffer(Directive d, String v, int skip, String name) throws ConfigException {
    OptionalInt n = Sizes.parse(v.substring(skip));
    if (n.isEmpty()) {
      throw d.error("invalid " + name + " \"" + v + "\"");
    }
    return n;
  }

  /** {@code on}, {@code off}, or {@code [idle]:[interval]:[count]} with at least one part. */
  private static ListenConfig.KeepAlive keepAlive(Directive d, String v) throws ConfigException {
    if (v.equals("on") || v.equals("off")) {
      return new ListenConfig.KeepAlive(v.equals("on"), Optional.empty(), Optional.empty(), OptionalInt.empty());
    }
    String[] parts = v.split(":", -1);
    if (parts.length > 3) {
      throw badKeepAlive(d, v);
    }
    Optional<Duration> idle = keepAliveTime(d, v, parts, 0);
    Optional<Duration> interval = keepAliveTime(d, v, parts, 1);
    OptionalInt count = OptionalInt.empty();
    if (parts.length > 2 && !parts[2].isEmpty()) {
      count = Numbers.parse(parts[2]);
      if (count.isEmpty()) {
        throw badKeepAlive(d, v);
      }
    }
    boolean anyNonZero = idle.filter(t -> !t.isZero()).isPresent()
        || interval.filter(t -> !t.isZero()).isPresent()
        || (count.isPresent() && count.getAsInt() != 0);
    if (!anyNonZero) {
      throw badKeepAlive(d, v);
    }
    return new ListenConfig.KeepAlive(true, idle, interval, count);
  }

  private static Optional<Duration> keepAliveTime(Directive d, String v, String[] parts, int i)
      throws ConfigException {
    if (parts.length <= i || parts[i].isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> t = Times.parseSeconds(parts[i]);
    if (t.isEmpty()) {
      throw badKeepAlive(d, v);
    }
    return t;
  }

  private static ConfigException badKeepAlive(Directive d, String v) {
    return d.error("invalid so_keepalive value: \"" + v + "\"");
  }
}
