package io.mailgate.tls;

import io.mailgate.config.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The client-side TLS of one {@code server}, built once at start-up: every file is read here, nothing per
 * connection.
 *
 * <p>With BoringSSL (netty-tcnative) every directive of ngx_mail_ssl_module is honoured except
 * {@code ssl_conf_command} (refused: BoringSSL has no SSL_CONF) and {@code ssl_dhparam} (accepted with a warning:
 * BoringSSL has no DHE); {@code SSLv2}/{@code SSLv3} in {@code ssl_protocols} are dropped with a warning. BoringSSL
 * resumes TLS 1.3 sessions only with tickets, so {@code ssl_session_cache builtin} with {@code ssl_session_tickets off}
 * resumes TLS 1.2 sessions only (nginx-tests mark this TODO for BoringSSL). {@code ssl_session_cache off} turns
 * tickets off as well, so that no session is ever resumed.
 *
 * <p>The JDK fallback ({@code -Dmailgate.tls.provider=jdk}, or when tcnative cannot load) honours: certificates and
 * keys (several pairs, encrypted keys, {@code ssl_password_file}), {@code ssl_protocols} (those the JDK enables; the
 * rest dropped with a warning), {@code ssl_ciphers}, {@code ssl_prefer_server_ciphers}, {@code ssl_verify_client}
 * with {@code ssl_client_certificate}, {@code ssl_trusted_certificate}, {@code ssl_crl} and {@code ssl_verify_depth}
 * (checked by mailgate itself, identically on both providers), {@code ssl_session_cache builtin[:size]} and
 * {@code none} (the JDK keeps its own cache: a warning says so), {@code ssl_session_timeout},
 * {@code ssl_sni_certificate}, ALPN, {@code ssl_dhparam} (ignored with a warning). With {@code ssl_verify_client}
 * it disables TLS 1.3 with a warning (the JDK completes a TLS 1.3 handshake before it has read the client's
 * certificate, so the check before the greeting would always see none). It refuses at start-up:
 * {@code ssl_session_cache off} and {@code ssl_session_tickets off} (the JDK 17 cannot turn resumption or tickets off
 * per context), {@code ssl_session_ticket_key} (no ticket key API), {@code ssl_ecdh_curve} other than {@code auto}
 * (no per-context named groups before JDK 20) and {@code ssl_conf_command}.
 */
public final class ServerTls {
  private static final Set<String> ALPN_PROTOCOLS = Set.of("imap", "pop3", "smtp");

  private final TlsProvider provider;
  private final List<String> warnings;
  private final Mapping<String, SslContext> contexts;
  private final String alpnProtocol;
  private final boolean preferServerCiphers;
  private final ClientCertVerifier verifier;
  private final ServerContextFactory factory;
  private final boolean noTickets;

  private ServerTls(TlsProvider provider, List<String> warnings, Mapping<String, SslContext> contexts,
      String alpnProtocol, boolean preferServerCiphers, ClientCertVerifier verifier, ServerContextFactory factory,
      boolean noTickets) {
    this.provider = provider;
    this.warnings = List.copyOf(warnings);
    this.contexts = contexts;
    this.alpnProtocol = alpnProtocol;
    this.preferServerCiphers = preferServerCiphers;
    this.verifier = verifier;
    this.factory = factory;
    this.noTickets = noTickets;
  }

  /**
   * Loads every file and builds the contexts.
   *
   * @param alpnProtocol {@code imap}, {@code pop3} or {@code smtp}
   * @throws TlsSetupException for what the provider cannot honour, unreadable files, wrong passwords
   */
  public static ServerTls create(TlsConfig config, String alpnProtocol) throws TlsSetupException {
    if (!ALPN_PROTOCOLS.contains(alpnProtocol)) {
      throw new IllegalArgumentException("ALPN protocol must be imap, pop3 or smtp: " + alpnProtocol);
    }
    TlsProvider provider = TlsProvider.select();
    List<String> warnings = new ArrayList<>();
    refuseUnsupported(config, provider, warnings);
    if (config.certificates().isEmpty()) {
      throw new TlsSetupException("no \"ssl_certificate\" is defined for the server");
    }
    List<String> protocols = TlsSettings.protocols(config.protocols(), provider, "ssl_protocols", warnings);
    if (provider == TlsProvider.JDK && config.verifyClient() != TlsConfig.VerifyClient.OFF
        && protocols.contains("TLSv1.3")) {
      protocols = jdkWithoutTls13(protocols, warnings);
    }
    List<String> ciphers = TlsSettings.ciphers(config.ciphers(), provider);
    Optional<String[]> groups = TlsSettings.groups(config.ecdhCurve());
    ClientCertVerifier verifier = null;
    ClientCaTrustManager trustManager = null;
    if (config.verifyClient() != TlsConfig.VerifyClient.OFF) {
      if (config.clientCertificate().isEmpty() && config.verifyClient() != TlsConfig.VerifyClient.OPTIONAL_NO_CA) {
        throw new TlsSetupException("no ssl_client_certificate for ssl_verify_client");
      }
      List<X509Certificate> requested = config.clientCertificate().isPresent()
          ? PemLoader.caFile(config.clientCertificate().get()) : List.of();
      List<X509Certificate> trusted = new ArrayList<>(requested);
      if (config.trustedCertificate().isPresent()) {
        trusted.addAll(PemLoader.caFile(config.trustedCertificate().get()));
      }
      List<X509CRL> crls = config.crl().isPresent() ? PemLoader.crls(config.crl().get()) : List.of();
      verifier = new ClientCertVerifier(trusted, crls, config.verifyDepth());
      trustManager = new ClientCaTrustManager(requested);
    }
    OpenSslSessionTicketKey[] ticketKeys = ticketKeys(config, provider);
    ServerContextFactory factory = new ServerContextFactory(provider, config, alpnProtocol, protocols, ciphers,
        trustManager, groups, ticketKeys);
    SslContext defaultContext = factory.build(config.certificates());
    DomainWildcardMappingBuilder<SslContext> mapping = new DomainWildcardMappingBuilder<>(defaultContext);
    // Sorted so that start-up errors and key loading happen in a stable order.
    for (Map.Entry<String, TlsConfig.CertificatePair> sni : new TreeMap<>(config.sniCertificates()).entrySet()) {
      mapping.add(sni.getKey(), factory.build(List.of(sni.getValue())));
    }
    return new ServerTls(provider, warnings, mapping.build(), alpnProtocol, config.preferServerCiphers(), verifier,
        factory, ticketKeys.length == 0);
  }

  /** Warnings to log at start-up (e.g. {@code ssl_dhparam} ignored). */
  public List<String> warnings() {
    return warnings;
  }

  /** {@code BoringSSL} or {@code JDK}. */
  public String providerName() {
    return provider.displayName();
  }

  /**
   * The handler to put first in a client pipeline (implicit TLS) or to insert first at STARTTLS (before the OK/220 is
   * written: that reply still goes out in clear, everything after it is TLS). It is an {@link io.netty.handler.ssl
   * .SniHandler} in both cases (with or without {@code ssl_sni_certificate}): it reads the ClientHello, closes the
   * connection when the client offers ALPN protocols but not ours (so no greeting is ever sent), then replaces itself
   * with an SslHandler from the context chosen by SNI (default: the {@code ssl_certificate} pairs), which fires
   * {@link io.netty.handler.ssl.SslHandshakeCompletionEvent}. Read {@link ClientTlsInfo#of} after that event.
   *
   * @param alloc unused: the SslHandler takes the channel's allocator
   * @param startTls whether this is a STARTTLS upgrade (behaviour is the same: the handler never writes)
   */
  public ChannelHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
    return new ServerTlsHandler(contexts, alpnProtocol, preferServerCiphers, verifier, noTickets);
  }

  /** For tests: the key managers, to show keys are handed to the TLS library once, not per handshake. */
  List<PairKeyManager> keyManagers() {
    return factory.keyManagers();
  }

  private static void refuseUnsupported(TlsConfig config, TlsProvider provider, List<String> warnings)
      throws TlsSetupException {
    if (!config.confCommands().isEmpty()) {
      throw new TlsSetupException("\"ssl_conf_command\" is not supported: SSL_CONF_cmd() is not available on this "
          + "platform (" + provider.displayName() + " has no SSL_CONF)");
    }
    if (config.dhparam().isPresent()) {
      warnings.add("\"ssl_dhparam\" " + config.dhparam().get() + " ignored: "
          + (provider == TlsProvider.BORINGSSL ? "BoringSSL has no DHE cipher suites"
              : "the JDK provider uses its own DH groups"));
    }
    if (provider != TlsProvider.JDK) {
      return;
    }
    TlsConfig.SessionCache.Mode mode = config.sessionCache().mode();
    if (mode == TlsConfig.SessionCache.Mode.OFF) {
      throw jdkRefuses("\"ssl_session_cache off\"", "session resumption cannot be turned off per context");
    }
    if (!config.sessionTickets()) {
      throw jdkRefuses("\"ssl_session_tickets off\"", "session tickets cannot be turned off per context");
    }
    if (!config.sessionTicketKeys().isEmpty()) {
      throw jdkRefuses("\"ssl_session_ticket_key\"", "ticket keys cannot be set");
    }
    if (!config.ecdhCurve().equalsIgnoreCase("auto")) {
      throw jdkRefuses("\"ssl_ecdh_curve " + config.ecdhCurve() + "\"",
          "named groups cannot be set per context before JDK 20");
    }
    if (mode == TlsConfig.SessionCache.Mode.NONE) {
      warnings.add("\"ssl_session_cache none\" approximated: the JDK provider keeps its own session cache");
    }
  }

  /**
   * The JDK reports a TLS 1.3 server handshake done before the client's Certificate arrives, so the certificate
   * check that must precede the greeting would always see none.
   */
  private static List<String> jdkWithoutTls13(List<String> protocols, List<String> warnings)
      throws TlsSetupException {
    List<String> kept = new ArrayList<>(protocols);
    kept.remove("TLSv1.3");
    if (kept.isEmpty()) {
      throw jdkRefuses("\"ssl_verify_client\" with only TLSv1.3",
          "its TLS 1.3 handshake completes before the client certificate is read");
    }
    warnings.add("\"ssl_verify_client\": TLSv1.3 disabled with the JDK provider (its TLS 1.3 handshake completes "
        + "before the client certificate is read)");
    return kept;
  }

  private static TlsSetupException jdkRefuses(String directive, String why) {
    return new TlsSetupException(directive + " is not supported by the JDK TLS provider (" + why
        + "); use BoringSSL (netty-tcnative)");
  }

  private static OpenSslSessionTicketKey[] ticketKeys(TlsConfig config, TlsProvider provider)
      throws TlsSetupException {
    boolean tickets = config.sessionTickets() && config.sessionCache().mode() != TlsConfig.SessionCache.Mode.OFF;
    if (provider != TlsProvider.BORINGSSL || !tickets) {
      return new OpenSslSessionTicketKey[0];
    }
    return config.sessionTicketKeys().isEmpty() ? TicketKeys.random() : TicketKeys.load(config.sessionTicketKeys());
  }
}
