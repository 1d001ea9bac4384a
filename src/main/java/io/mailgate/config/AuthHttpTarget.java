package io.mailgate.config;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where {@code auth_http} points: {@code [http://]host[:port][/uri]} or {@code [http://]unix:/path[:/uri]}.
 *
 * @param url the URL as written
 * @param address the resolved address (first one, as nginx) or the unix socket
 * @param hostHeader the {@code Host:} value: host without port, {@code localhost} for unix sockets
 * @param uri the request target, {@code /} when absent
 */
record AuthHttpTarget(String url, SocketAddress address, String hostHeader, String uri) {

  private static final int DEFAULT_PORT = 80;

  /** Parses and resolves the URL of an {@code auth_http} directive. */
  static AuthHttpTarget parse(Directive d) throws ConfigException {
    String url = d.arg(0);
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      throw bad(d, "https is not supported yet", url);
    }
    String rest = lower.startsWith("http://") ? url.substring(7) : url;
    if (rest.startsWith("unix:")) {
      return unix(d, url, rest.substring(5));
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
    int port = DEFAULT_PORT;
    if (portText != null) {
      port = Numbers.parse(portText).orElse(0);
      if (port < 1 || port > 65535) {
        throw bad(d, "invalid port", url);
      }
    }
    String lookup = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    InetAddress address;
    try {
      // Resolved once at start-up, first address, as nginx; never on an event loop.
      address = InetAddress.getByName(lookup);
    } catch (UnknownHostException e) {
      throw bad(d, "host not found", url);
    }
    return new AuthHttpTarget(url, new InetSocketAddress(address, port), host, uri);
  }

  private static AuthHttpTarget unix(Directive d, String url, String pathAndUri) throws ConfigException {
    int colon = pathAndUri.indexOf(':');
    String path = colon < 0 ? pathAndUri : pathAndUri.substring(0, colon);
    String uri = colon < 0 || colon + 1 == pathAndUri.length() ? "/" : pathAndUri.substring(colon + 1);
    if (path.isEmpty()) {
      throw bad(d, "no path in the unix domain socket", url);
    }
    return new AuthHttpTarget(url, new DomainSocketAddress(path), "localhost", uri);
  }

  private static ConfigException bad(Directive d, String what, String url) {
    return d.error(what + " in auth_http \"" + url + "\"");
  }
}
