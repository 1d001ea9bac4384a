package io.mailgate.config;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code listen} directive.
 *
 * @param address an {@link java.net.InetSocketAddress} (IPv4, {@code [IPv6]}, {@code *:port} or a bare port) or an
 *     {@code io.netty.channel.unix.DomainSocketAddress} for {@code unix:/path}
 * @param text the address as nginx prints it, e.g. {@code 127.0.0.1:8143}, {@code [::1]:143}, {@code unix:/tmp/s}
 * @param backlog {@code backlog=} (nginx's default 511)
 * @param rcvbuf {@code rcvbuf=} in bytes
 * @param sndbuf {@code sndbuf=} in bytes
 * @param soKeepalive {@code so_keepalive=}
 * @param ssl the {@code ssl} flag (implicit TLS)
 * @param proxyProtocol the {@code proxy_protocol} flag
 */
public record ListenConfig(
    SocketAddress address,
    String text,
    int backlog,
    OptionalInt rcvbuf,
    OptionalInt sndbuf,
    Optional<KeepAlive> soKeepalive,
    boolean ssl,
    boolean proxyProtocol) {

  /**
   * {@code so_keepalive=on|off|[keepidle]:[keepintvl]:[keepcnt]}.
   *
   * @param on SO_KEEPALIVE on or off
   * @param idle TCP_KEEPIDLE when given
   * @param interval TCP_KEEPINTVL when given
   * @param count TCP_KEEPCNT when given
   */
  public record KeepAlive(boolean on, Optional<Duration> idle, Optional<Duration> interval, OptionalInt count) {}
}
