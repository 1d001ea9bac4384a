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
 * @param keepalive {@code auth_http_keepalive} (mailgate only; default {@value #DEFAULT_KEEPALIVE}): idle connections
 *     to the auth server kept per event loop for the next requests; 0 opens one connection per request, as nginx does
 */
public record AuthHttpConfig(
    String url,
    SocketAddress address,
    String hostHeader,
    String uri,
    List<HttpHeader> headers,
    Duration timeout,
    boolean passClientCert,
    int keepalive) {

  /**
   * Enough that a login storm of a few hundred concurrent clients reuses its connections instead of opening and
   * closing some for every burst (16 let about one login in ten at concurrency 50 open a new one; bench/README.md).
   * The pool never holds more connections than there were simultaneous requests, and idle ones close after 30 s.
   */
  public static final int DEFAULT_KEEPALIVE = 256;

  public AuthHttpConfig {
    headers = List.copyOf(headers);
  }

  /** One {@code auth_http_header name value;}. */
  public record HttpHeader(String name, String value) {}
}
