package io.mailgate.session;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/**
 * The host name a TLS client asked for by SNI (RFC 6066 §3), read from the finished handshake's session: both the JDK
 * and Netty's OpenSSL engines report it there. Used for PROXY v2's {@code PP2_TYPE_AUTHORITY}.
 */
final class ClientServerName {

  private ClientServerName() {}

  /** The name, or empty without TLS, without SNI, or when the engine does not report it. */
  static Optional<String> of(Channel channel) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return Optional.empty();
    }
    SSLSession session = ssl.engine().getSession();
    if (!(session instanceof ExtendedSSLSession extended)) {
      return Optional.empty();
    }
    try {
      for (SNIServerName name : extended.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return Optional.of(host.getAsciiName());
        }
      }
    } catch (UnsupportedOperationException notReported) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
