package io.mailgate.config;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * {@code auth_http} and its companions.
 *
 * @param url the URL as written, for logs
 * @param address where to connect: {@link java.net.InetSocketAddress} (host resolved once, at config time, first
 *     address, as nginx does) or {@code io.netty.channel.unix.DomainSocketAddress} for {@code unix:}
 * @param hostHeader the {@code Host:} value: the URL's host without port ({@code localhost} for unix sockets)
 * @param uri the request target, default {@code /}
 * @param headers {@code auth_http_header} lines, appended verbatim in order
 * @param timeout {@code auth_http_timeout} (default 60s) for connect, send and read
 * @param passClientCert {@code auth_http_pass_client_cert}
 */
public record AuthHttpConfig(
    String url,
    SocketAddress address,
    String hostHeader,
    String uri,
    List<HttpHeader> headers,
    Duration timeout,
    boolean passClientCert) {

  public AuthHttpConfig {
    headers = List.copyOf(headers);
  }

  /** One {@code auth_http_header name value;}. */
  public record HttpHeader(String name, String value) {}
}
