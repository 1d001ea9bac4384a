package io.mailgate.testkit;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * How a JSSE test client speaks TLS to mailgate: which CA it trusts (the server chain is checked, host names are not),
 * which client certificate it presents, the SNI name, ALPN protocols, TLS versions and cipher suites. The SSLContext
 * is built once per options object, so connections made with the same options share JSSE's client session cache.
 */
public final class TlsClientOptions {

  private final X509Certificate trusted;
  private TestPki.Pair clientPair;
  private String serverName;
  private List<String> alpn = List.of();
  private List<String> protocols = List.of();
  private List<String> cipherSuites = List.of();
  private SSLContext context;

  private TlsClientOptions(X509Certificate trusted) {
    this.trusted = trusted;
  }

  /** A client trusting server chains issued by {@code ca} only. */
  public static TlsClientOptions trusting(X509Certificate ca) {
    return new TlsClientOptions(ca);
  }

  /**
   * Presents {@code pair} whenever the server asks for a certificate, whatever CA names the server lists (JSSE's own
   * key manager would silently send none for a certificate from another CA, and a bad certificate is what some tests
   * need to send).
   */
  public TlsClientOptions clientCertificate(TestPki.Pair pair) {
    this.clientPair = pair;
    return reset();
  }

  /** Sends {@code name} as SNI (RFC 6066 §3); without it an IP-literal connection sends no SNI. */
  public TlsClientOptions serverName(String name) {
    this.serverName = name;
    return this;
  }

  /** Offers these ALPN protocols (RFC 7301). */
  public TlsClientOptions alpn(String... offered) {
    this.alpn = List.of(offered);
    return this;
  }

  /** Enables only these protocol versions, e.g. {@code TLSv1.2}. */
  public TlsClientOptions protocols(String... versions) {
    this.protocols = List.of(versions);
    return this;
  }

  /** Enables only these cipher suites (JSSE/IANA names). */
  public TlsClientOptions cipherSuites(String... suites) {
    this.cipherSuites = List.of(suites);
    return this;
  }

  /** Wraps a connected socket (implicit TLS from its first byte, or after a STARTTLS reply) and handshakes. */
  public SSLSocket handshake(Socket plain, String host, int port) throws IOException {
    SSLSocket ssl = (SSLSocket) context().getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters parameters = ssl.getSSLParameters();
    if (serverName != null) {
      parameters.setServerNames(List.of(new SNIHostName(serverName)));
    }
    if (!alpn.isEmpty()) {
      parameters.setApplicationProtocols(alpn.toArray(String[]::new));
    }
    if (!protocols.isEmpty()) {
      parameters.setProtocols(protocols.toArray(String[]::new));
    }
    if (!cipherSuites.isEmpty()) {
      parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
    }
    ssl.setSSLParameters(parameters);
    ssl.startHandshake();
    return ssl;
  }

  private TlsClientOptions reset() {
    context = null;
    return this;
  }

  private SSLContext context() {
    if (context == null) {
      try {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManager[] keys = clientPair == null ? null : new KeyManager[] {new FixedKeyManager(clientPair)};
        SSLContext built = SSLContext.getInstance("TLS");
        built.init(keys, tmf.getTrustManagers(), null);
        context = built;
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return context;
  }

  /** Always offers the one pair, ignoring the issuer list of the CertificateRequest. */
  private static final class FixedKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";
    private final TestPki.Pair pair;

    FixedKeyManager(TestPki.Pair pair) {
      this.pair = pair;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(pair.x509());
      return chain.toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return pair.privateKey();
    }
  }
}
