package io.mailgate.config;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One auth service: one {@code auth_http} line, merged with its block's timeouts.
 *
 * @param url the URL as written, for logs
 * @param address where to connect: {@link java.net.InetSocketAddress} (host resolved at config time, first address,
 *     as nginx does) or {@code io.netty.channel.unix.DomainSocketAddress} for {@code unix:}
 * @param hostHeader the {@code Host:} value: the URL's host without port ({@code localhost} for unix sockets)
 * @param uri the request target, default {@code /}
 * @param https whether the service speaks TLS ({@code https://}); verified with the block's {@code auth_http_ssl*}
 * @param peerHost the URL's host without IPv6 brackets: the TLS name (SNI and certificate check) unless
 *     {@code auth_http_ssl_name} says otherwise
 * @param lookupName the host name when the URL has one (not an IP literal, not a unix socket): looked up again,
 *     without blocking, while mailgate runs
 * @param connectTimeout {@code connect_timeout=} or {@code auth_http_connect_timeout} (default: the request timeout,
 *     as nginx bounds connect by {@code auth_http_timeout}): TCP connect plus TLS handshake
 * @param timeout {@code timeout=} or {@code auth_http_timeout} (default 60s): from sending the request to the end of
 *     the response head
 * @param idleTimeout {@code idle_timeout=} or {@code auth_http_idle_timeout} (default 30s): how long a pooled
 *     keep-alive connection stays open unused
 */
public record AuthHttpService(
    String url,
    SocketAddress address,
    String hostHeader,
    String uri,
    boolean https,
    String peerHost,
    Optional<String> lookupName,
    Duration connectTimeout,
    Duration timeout,
    Duration idleTimeout) {

  /** A plain-HTTP service with nginx's timeouts: {@code timeout} for connect and request, 30 s idle. */
  public static AuthHttpService plain(String url, SocketAddress address, String hostHeader, String uri,
      Duration timeout) {
    return new AuthHttpService(url, address, hostHeader, uri, false, hostHeader, Optional.empty(), timeout, timeout,
        AuthHttpConfig.DEFAULT_IDLE_TIMEOUT);
  }
}
