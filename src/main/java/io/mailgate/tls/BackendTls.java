package io.mailgate.tls;

import io.mailgate.config.BackendTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS towards the backends of one {@code server}, built once at start-up. With {@code proxy_ssl_verify on} the chain
 * is checked against {@code proxy_ssl_trusted_certificate} (or the JDK's default trust store) and the name against
 * the certificate (DNS SANs, or IP SANs for an IP literal) with an {@link X509ExtendedTrustManager}: a plain
 * X509TrustManager would silently skip the name check. The JDK fallback refuses {@code proxy_ssl_session_reuse off}
 * (its client session cache cannot be turned off per context).
 */
public final class BackendTls {
  private final SslContext context;
  private final TlsProvider provider;
  private final List<String> warnings;

  private BackendTls(SslContext context, TlsProvider provider, List<String> warnings) {
    this.context = context;
    this.provider = provider;
    this.warnings = List.copyOf(warnings);
  }

  /** Loads the trust anchors and client certificate and builds the client context. */
  public static BackendTls create(BackendTlsConfig config) throws TlsSetupException {
    return create(config, "proxy_ssl", "backend");
  }

  /**
   * The same for another kind of peer: {@code prefix} names its directives in messages ({@code auth_http_ssl}),
   * {@code peer} the peer ({@code auth service}).
   */
  public static BackendTls create(BackendTlsConfig config, String prefix, String peer) throws TlsSetupException {
    TlsProvider provider = TlsProvider.select();
    List<String> warnings = new ArrayList<>();
    if (!config.sessionReuse() && provider == TlsProvider.JDK) {
      throw new TlsSetupException("\"" + prefix + "_session_reuse off\" is not supported by the JDK TLS provider "
          + "(its client session cache cannot be turned off per context); use BoringSSL (netty-tcnative)");
    }
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(provider.nettyProvider())
        .protocols(TlsSettings.protocols(config.protocols(), provider, prefix + "_protocols", warnings));
    if (config.verify()) {
      builder.trustManager(trustManager(config, peer)).endpointIdentificationAlgorithm("HTTPS");
    } else {
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
    }
    if (config.certificate().isPresent()) {
      List<X509Certificate> chain = PemLoader.chain(config.certificate().get().certificate());
      PrivateKey key = PemLoader.privateKey(config.certificate().get().key(),
          PemLoader.passwords(config.passwordFile()), chain.get(0));
      builder.keyManager(key, chain);
    }
    SslContext context;
    try {
      context = builder.build();
    } catch (Exception e) {
      throw new TlsSetupException("cannot set up " + peer + " TLS: " + PemLoader.describe(e), e);
    }
    if (!config.sessionReuse() && context.sessionContext() instanceof OpenSslSessionContext sessions) {
      sessions.setSessionCacheEnabled(false);
    }
    return new BackendTls(context, provider, warnings);
  }

  /**
   * A client-mode SslHandler for one backend connection. {@code peerName} drives both SNI (omitted for IP literals,
   * RFC 6066) and the certificate name check; connect to the address from {@code Auth-Server} and pass the expected
   * name here. {@code port} keys session reuse.
   *
   * @param startTls true when upgrading after STARTTLS/STLS; the handler is the same, as the command and its reply
   *     have already been exchanged: nothing is ever written in clear after it is added
   */
  public SslHandler newHandler(ByteBufAllocator alloc, String peerName, int port, boolean startTls) {
    return context.newHandler(alloc, peerName, port);
  }

  /** Warnings to log at start-up (e.g. a protocol the provider lacks). */
  public List<String> warnings() {
    return warnings;
  }

  /** {@code BoringSSL} or {@code JDK}. */
  public String providerName() {
    return provider.displayName();
  }

  private static X509ExtendedTrustManager trustManager(BackendTlsConfig config, String peer)
      throws TlsSetupException {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      if (config.trustedCertificate().isPresent()) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int n = 0;
        for (X509Certificate ca : PemLoader.caFile(config.trustedCertificate().get())) {
          store.setCertificateEntry("ca" + n++, ca);
        }
        factory.init(store);
      } else {
        factory.init((KeyStore) null);
      }
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsSetupException("cannot load the " + peer + " trust store: " + PemLoader.describe(e), e);
    }
    throw new TlsSetupException("no X509ExtendedTrustManager available: the " + peer + " name could not be checked");
  }
}
