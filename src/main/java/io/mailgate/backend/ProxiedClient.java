package io.mailgate.backend;

import java.net.SocketAddress;
import java.util.Optional;

/**
 * What a PROXY protocol header tells the backend about the client's connection to mailgate.
 *
 * @param client the client's address and port (the real client's, after {@code set_real_ip_from}); may be a unix
 *     socket
 * @param local the address and port the client connected to, as the header's destination
 * @param tls the client's TLS, when it used TLS
 * @param sessionId mailgate's session id ({@code PP2_TYPE_UNIQUE_ID} in version 2)
 */
public record ProxiedClient(SocketAddress client, SocketAddress local, Optional<Tls> tls, String sessionId) {

  /**
   * The client's TLS as far as version 2's {@code PP2_TYPE_SSL} can carry it.
   *
   * @param protocol e.g. {@code TLSv1.3}
   * @param cipher the OpenSSL name, e.g. {@code TLS_AES_128_GCM_SHA256}
   * @param verifiedCertificate the client presented a certificate that passed {@code ssl_verify_client}
   * @param serverName the SNI host name the client asked for, if any
   */
  public record Tls(String protocol, String cipher, boolean verifiedCertificate, Optional<String> serverName) {}

  /** A connection without TLS. */
  public ProxiedClient(SocketAddress client, SocketAddress local, String sessionId) {
    this(client, local, Optional.empty(), sessionId);
  }
}
