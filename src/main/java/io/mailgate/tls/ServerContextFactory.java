package io.mailgate.tls;

import io.mailgate.config.TlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLSessionContext;

/**
 * Builds the server SslContexts of one {@code server} from settings resolved once: the default one
 * ({@code ssl_certificate} pairs) and one per {@code ssl_sni_certificate} name, all with the same protocols,
 * ciphers, client-certificate request and session settings.
 */
final class ServerContextFactory {
  /** nginx's NGX_SSL_DFLT_BUILTIN_SCACHE: OpenSSL's default cache size. */
  static final int DEFAULT_CACHE_SIZE = 20480;

  private final TlsProvider provider;
  private final TlsConfig config;
  private final String alpnProtocol;
  private final List<String> protocols;
  private final List<String> ciphers;
  private final List<String> passwords;
  private final ClientCaTrustManager trustManager;
  private final Optional<String[]> groups;
  private final OpenSslSessionTicketKey[] ticketKeys;
  private final List<PairKeyManager> keyManagers = new ArrayList<>();

  ServerContextFactory(TlsProvider provider, TlsConfig config, String alpnProtocol, List<String> protocols,
      List<String> ciphers, ClientCaTrustManager trustManager, Optional<String[]> groups,
      OpenSslSessionTicketKey[] ticketKeys) throws TlsSetupException {
    this.provider = provider;
    this.config = config;
    this.alpnProtocol = alpnProtocol;
    this.protocols = protocols;
    this.ciphers = ciphers;
    this.passwords = PemLoader.passwords(config.passwordFile());
    this.trustManager = trustManager;
    this.groups = groups;
    this.ticketKeys = ticketKeys;
  }

  /** The key managers built so far (tests check that keys are handed out once, not per handshake). */
  List<PairKeyManager> keyManagers() {
    return List.copyOf(keyManagers);
  }

  /** A server context serving {@code pairs}, each chosen by the key types the client supports. */
  SslContext build(List<TlsConfig.CertificatePair> pairs) throws TlsSetupException {
    List<PairKeyManager.Pair> loaded = new ArrayList<>();
    for (TlsConfig.CertificatePair pair : pairs) {
      List<X509Certificate> chain = PemLoader.chain(pair.certificate());
      PrivateKey key = PemLoader.privateKey(pair.key(), passwords, chain.get(0));
      loaded.add(new PairKeyManager.Pair(chain.toArray(new X509Certificate[0]), key));
    }
    PairKeyManager keyManager = new PairKeyManager(loaded);
    keyManagers.add(keyManager);
    SslContextBuilder builder = provider == TlsProvider.BORINGSSL
        // The caching factory keeps tcnative's encoded key per alias: no re-encoding at every handshake.
        ? SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(new KeyManagerFactoryWrapper(keyManager)))
        : SslContextBuilder.forServer(keyManager);
    builder.sslProvider(provider.nettyProvider())
        .protocols(protocols)
        .ciphers(ciphers, IdentityCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            // NO_ADVERTISE: FATAL_ALERT is unsupported by tcnative; refusal happens on the ClientHello instead.
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpnProtocol))
        .sessionTimeout(config.sessionTimeout().toSeconds());
    if (config.sessionCache().mode() == TlsConfig.SessionCache.Mode.BUILTIN) {
      builder.sessionCacheSize(config.sessionCache().size().orElse(DEFAULT_CACHE_SIZE));
    }
    if (trustManager != null) {
      // OPTIONAL in every mode: the handshake completes and the session layer decides, as nginx.
      builder.clientAuth(ClientAuth.OPTIONAL).trustManager(trustManager);
    }
    groups.ifPresent(g -> builder.option(OpenSslContextOption.GROUPS, g));
    SslContext context;
    try {
      context = builder.build();
    } catch (Exception e) {
      throw setupFailure(e);
    }
    configureSessions(context);
    return context;
  }

  private TlsSetupException setupFailure(Exception e) {
    String text = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (groups.isPresent() && (text.contains("curve") || text.contains("group"))) {
      return new TlsSetupException("SSL_CTX_set1_curves_list(\"" + config.ecdhCurve() + "\") failed: "
          + PemLoader.describe(e), e);
    }
    return new TlsSetupException("cannot set up TLS: " + PemLoader.describe(e), e);
  }

  private void configureSessions(SslContext context) {
    TlsConfig.SessionCache.Mode mode = config.sessionCache().mode();
    SSLSessionContext sessions = context.sessionContext();
    if (sessions instanceof OpenSslSessionContext openSsl) {
      openSsl.setSessionCacheEnabled(mode == TlsConfig.SessionCache.Mode.BUILTIN);
      if (ticketKeys.length > 0) {
        openSsl.setTicketKeys(ticketKeys);
      }
      // Turning tickets off is done per connection (ServerTlsHandler): Netty leaves TLS 1.3 tickets on.
    }
  }
}
