package io.mailgate.backend;

import io.mailgate.config.BackendTlsConfig;
import io.mailgate.tls.BackendTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The TLS of one backend login: the server's {@code proxy_ssl*} settings combined with what the auth service demanded
 * for this login ({@code Auth-Proxy-SSL}, {@code Auth-Proxy-SSL-Name}). The auth service can only add TLS: certificate
 * verification stays as {@code proxy_ssl_verify} says, since the context was built from it at start-up.
 *
 * @param mode {@link BackendTlsConfig.Mode#ON} (implicit TLS) or {@link BackendTlsConfig.Mode#STARTTLS}, never OFF
 * @param peerName the name the certificate must carry, also sent by SNI unless it is an IP literal
 * @param port the backend port, which keys TLS session reuse together with the name
 * @param verify whether the chain and name are checked ({@code proxy_ssl_verify}), for the log only
 * @param tls the server's backend TLS context
 */
public record BackendTlsPlan(BackendTlsConfig.Mode mode, String peerName, int port, boolean verify, BackendTls tls) {

  /** Checks that {@code mode} is a TLS mode. */
  public BackendTlsPlan {
    if (mode == BackendTlsConfig.Mode.OFF) {
      throw new IllegalArgumentException("a TLS plan needs mode on or starttls");
    }
  }

  /**
   * The TLS for one login, or empty for cleartext.
   *
   * <p>The mode is the stronger of {@code proxy_ssl} and {@code Auth-Proxy-SSL}: implicit TLS wins over STARTTLS (it
   * is a different port, and already encrypts everything); either wins over off. The expected name is
   * {@code Auth-Proxy-SSL-Name}, else {@code proxy_ssl_name}, else the backend's IP literal from {@code Auth-Server}
   * (whose certificate then needs an IP subject alternative name).
   */
  public static Optional<BackendTlsPlan> resolve(BackendTlsConfig config, BackendTls tls,
      Optional<BackendTlsConfig.Mode> required, Optional<String> requiredName, InetSocketAddress backend) {
    return resolve(config, tls, required, requiredName, BackendTarget.of(backend));
  }

  /**
   * As above for a target of possibly several addresses: without {@code Auth-Proxy-SSL-Name} or
   * {@code proxy_ssl_name}, the host name the target was resolved from ({@code Auth-Server: imap.internal}) is the
   * expected name, else its first address's IP literal (with several literals, set {@code proxy_ssl_name}).
   */
  public static Optional<BackendTlsPlan> resolve(BackendTlsConfig config, BackendTls tls,
      Optional<BackendTlsConfig.Mode> required, Optional<String> requiredName, BackendTarget target) {
    BackendTlsConfig.Mode mode = stronger(config.mode(), required.orElse(BackendTlsConfig.Mode.OFF));
    if (mode == BackendTlsConfig.Mode.OFF) {
      return Optional.empty();
    }
    InetSocketAddress first = target.first();
    String name = requiredName.or(config::name).or(target::hostName).orElseGet(() -> ipLiteral(first));
    return Optional.of(new BackendTlsPlan(mode, name, first.getPort(), config.verify(), tls));
  }

  /** Whether the connection starts with the TLS handshake (IMAPS, POP3S, SMTPS ports). */
  public boolean implicit() {
    return mode == BackendTlsConfig.Mode.ON;
  }

  /**
   * A client-mode handler for this login. Its own handshake timeout is off: the login's {@code timeout} already bounds
   * the connect, the handshake and every reply.
   */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    SslHandler handler = tls.newHandler(alloc, peerName, port, false);
    handler.setHandshakeTimeoutMillis(0);
    return handler;
  }

  /** For the debug log, e.g. {@code STARTTLS, name "imap.example.com", verify on}. */
  public String describe() {
    return (implicit() ? "implicit TLS" : "STARTTLS") + ", name \"" + peerName + "\", verify " + (verify ? "on" : "off");
  }

  static BackendTlsConfig.Mode stronger(BackendTlsConfig.Mode a, BackendTlsConfig.Mode b) {
    if (a == BackendTlsConfig.Mode.ON || b == BackendTlsConfig.Mode.ON) {
      return BackendTlsConfig.Mode.ON;
    }
    if (a == BackendTlsConfig.Mode.STARTTLS || b == BackendTlsConfig.Mode.STARTTLS) {
      return BackendTlsConfig.Mode.STARTTLS;
    }
    return BackendTlsConfig.Mode.OFF;
  }

  /** The address as text without an IPv6 scope, which no certificate carries. */
  private static String ipLiteral(InetSocketAddress backend) {
    String host = backend.getAddress().getHostAddress();
    int scope = host.indexOf('%');
    return scope < 0 ? host : host.substring(0, scope);
  }
}
