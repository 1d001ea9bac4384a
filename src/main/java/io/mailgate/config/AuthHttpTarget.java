package io.mailgate.config;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One {@code auth_http} line: {@code [http://|https://]host[:port][/uri]} or {@code [http://]unix:/path[:/uri]}, then
 * mailgate's optional per-service parameters {@code connect_timeout=}, {@code timeout=} and {@code idle_timeout=}.
 *
 * @param url the URL as written
 * @param address the resolved address (first one, as nginx) or the unix socket
 * @param hostHeader the {@code Host:} value: host without port, {@code localhost} for unix sockets
 * @param uri the request target, {@code /} when absent
 * @param https whether the URL asks for TLS
 * @param lookupName the host name to look up again while running; empty for an IP literal or a unix socket
 * @param connectTimeout {@code connect_timeout=}, when given on the line
 * @param timeout {@code timeout=}, when given on the line
 * @param idleTimeout {@code idle_timeout=}, when given on the line
 */
record AuthHttpTarget(String url, SocketAddress address, String hostHeader, String uri, boolean https,
    Optional<String> lookupName, Optional<Duration> connectTimeout, Optional<Duration> timeout,
    Optional<Duration> idleTimeout) {

  private static final int HTTP_PORT = 80;
  private static final int HTTPS_PORT = 443;

  /** Parses and resolves an {@code auth_http} directive. */
  static AuthHttpTarget parse(Directive d) throws ConfigException {
    String url = d.arg(0);
    String lower = url.toLowerCase(Locale.ROOT);
    boolean https = lower.startsWith("https://");
    String rest = https ? url.substring(8) : lower.startsWith("http://") ? url.substring(7) : url;
    Parameters p = Parameters.parse(d);
    if (rest.startsWith("unix:")) {
      if (https) {
        throw bad(d, "https over a unix domain socket is not supported", url);
      }
      return unix(d, url, rest.substring(5), p);
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String uri = slash < 0 ? "/" : rest.substring(slash);
    String host;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0 || !NetUtil.isValidIpV6Address(authority.substring(1, close))) {
        throw bad(d, "invalid IPv6 address", url);
      }
      host = authority.substring(0, close + 1);
      if (close + 1 < authority.length()) {
        if (authority.charAt(close + 1) != ':') {
          throw bad(d, "invalid host", url);
        }
        portText = authority.substring(close + 2);
      }
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw bad(d, "no host", url);
    }
    int port = https ? HTTPS_PORT : HTTP_PORT;
    if (portText != null) {
      port = Numbers.parse(portText).orElse(0);
      if (port < 1 || port > 65535) {
        throw bad(d, "invalid port", url);
      }
    }
    String lookup = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    InetAddress address;
    try {
      // Resolved once at start-up, first address, as nginx; never on an event loop. A name is looked up again
      // while running, without blocking (the auth client's resolver).
      address = InetAddress.getByName(lookup);
    } catch (UnknownHostException e) {
      throw bad(d, "host not found", url);
    }
    Optional<String> name = NetUtil.isValidIpV4Address(lookup) || NetUtil.isValidIpV6Address(lookup)
        ? Optional.empty() : Optional.of(lookup);
    return new AuthHttpTarget(url, new InetSocketAddress(address, port), host, uri, https, name,
        p.connectTimeout, p.timeout, p.idleTimeout);
  }

  /** The host as a TLS peer name: without IPv6 brackets ({@code localhost} for unix sockets). */
  String peerHost() {
    return hostHeader.startsWith("[") ? hostHeader.substring(1, hostHeader.length() - 1) : hostHeader;
  }

  private static AuthHttpTarget unix(Directive d, String url, String pathAndUri, Parameters p)
      throws ConfigException {
    int colon = pathAndUri.indexOf(':');
    String path = colon < 0 ? pathAndUri : pathAndUri.substring(0, colon);
    String uri = colon < 0 || colon + 1 == pathAndUri.length() ? "/" : pathAndUri.substring(colon + 1);
    if (path.isEmpty()) {
      throw bad(d, "no path in the unix domain socket", url);
    }
    return new AuthHttpTarget(url, new DomainSocketAddress(path), "localhost", uri, false, Optional.empty(),
        p.connectTimeout, p.timeout, p.idleTimeout);
  }

  private static ConfigException bad(Directive d, String what, String url) {
    return d.error(what + " in auth_http \"" + url + "\"");
  }

  /** The {@code name=value} words after the URL; each at most once. */
  private static final class Parameters {
    Optional<Duration> connectTimeout = Optional.empty();
    Optional<Duration> timeout = Optional.empty();
    Optional<Duration> idleTimeout = Optional.empty();

    static Parameters parse(Directive d) throws ConfigException {
      Parameters p = new Parameters();
      for (String word : d.args().subList(1, d.args().size())) {
        int eq = word.indexOf('=');
        String name = eq < 0 ? word : word.substring(0, eq);
        Optional<Duration> value = eq < 0 ? Optional.empty()
            : Times.parseMillis(word.substring(eq + 1)).filter(t -> !t.isZero());
        if (value.isEmpty() && (name.equals("connect_timeout") || name.equals("timeout")
            || name.equals("idle_timeout"))) {
          throw d.error("invalid value in \"" + word + "\" of \"auth_http\"");
        }
        switch (name) {
          case "connect_timeout" -> p.connectTimeout = once(d, word, p.connectTimeout, value);
          case "timeout" -> p.timeout = once(d, word, p.timeout, value);
          case "idle_timeout" -> p.idleTimeout = once(d, word, p.idleTimeout, value);
          default -> throw d.error("invalid parameter \"" + word + "\" of \"auth_http\"");
        }
      }
      return p;
    }

    private static Optional<Duration> once(Directive d, String word, Optional<Duration> current,
        Optional<Duration> value) throws ConfigException {
      if (current.isPresent()) {
        throw d.error("duplicate parameter \"" + word + "\" of \"auth_http\"");
      }
      return value;
    }
  }
}
