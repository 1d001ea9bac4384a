package io.mailgate.tls;

import java.net.Socket;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Serves several certificate/key pairs (e.g. RSA and ECDSA) and picks the first one whose key type the client can
 * use, as OpenSSL does with several {@code ssl_certificate} lines. Keys are loaded once, at start-up.
 */
final class PairKeyManager extends X509ExtendedKeyManager {
  /** One loaded pair. */
  record Pair(X509Certificate[] chain, PrivateKey key) {}

  /** What each engine's ClientHello offered; weak keys: an engine's entry goes with it. */
  private static final Map<SSLEngine, ClientHello> HINTS = Collections.synchronizedMap(new WeakHashMap<>());

  private final List<Pair> pairs;
  private final AtomicInteger keyReads = new AtomicInteger();

  PairKeyManager(List<Pair> pairs) {
    this.pairs = List.copyOf(pairs);
  }

  /** Remembers the ClientHello of {@code engine} for the TLS 1.2 choice (tcnative does not expose the suites). */
  static void hint(SSLEngine engine, ClientHello hello) {
    HINTS.put(engine, hello);
  }

  /** How often a private key was handed out; with tcnative's caching factory, once per pair. */
  int keyReads() {
    return keyReads.get();
  }

  /**
   * With tcnative, like OpenSSL: in TLS 1.3 the client's signature algorithms alone decide, in its order of preference (tcnative
   * asks per key type in an order that ignores them: it would offer RSA to an ECDSA-only client); in TLS 1.2 the
   * pair must also suit one of the cipher suites the client offered (read from its ClientHello, as tcnative's key
   * type order follows the server's suites), or without that, the key type tcnative asks for.
   */
  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    if (!(engine instanceof ReferenceCountedOpenSslEngine)) {
      // The JDK asks per key type in the client's signature algorithm order already.
      return choose(keyType);
    }
    SSLSession handshake = engine.getHandshakeSession();
    String[] algorithms = handshake instanceof ExtendedSSLSession extended
        ? extended.getPeerSupportedSignatureAlgorithms() : null;
    if (algorithms == null || algorithms.length == 0) {
      return choose(keyType);
    }
    if ("TLSv1.3".equals(handshake.getProtocol())) {
      return bySignatureAlgorithms(algorithms, keyAlgorithm -> true);
    }
    ClientHello hello = HINTS.get(engine);
    if (hello != null) {
      return bySignatureAlgorithms(algorithms,
          keyAlgorithm -> keyAlgorithm.equals("EC") ? hello.ecdsaSuites() : hello.otherSuites());
    }
    return bySignatureAlgorithms(algorithms, keyAlgorithm -> fitsType(keyType, keyAlgorithm));
  }

  private String bySignatureAlgorithms(String[] algorithms, Predicate<String> allowed) {
    for (String algorithm : algorithms) {
      String name = algorithm.toLowerCase(Locale.ROOT);
      String keyAlgorithm = name.contains("ecdsa") ? "EC"
          : name.contains("ed25519") ? "Ed25519"
          : name.contains("rsa") && !name.contains("pss_pss") ? "RSA"
          : null;
      for (int i = 0; keyAlgorithm != null && i < pairs.size(); i++) {
        Pair pair = pairs.get(i);
        if (fits(keyAlgorithm, pair) && allowed.test(keyAlgorithm)) {
          return alias(i);
        }
      }
    }
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return choose(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    List<String> aliases = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      if (fits(keyType, pairs.get(i))) {
        aliases.add(alias(i));
      }
    }
    return aliases.isEmpty() ? null : aliases.toArray(new String[0]);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return chooseClient(keyTypes);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return chooseClient(keyTypes);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return getServerAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Pair pair = pair(alias);
    return pair == null ? null : pair.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Pair pair = pair(alias);
    if (pair == null) {
      return null;
    }
    keyReads.incrementAndGet();
    return pair.key();
  }

  private String chooseClient(String[] keyTypes) {
    if (keyTypes == null) {
      return null;
    }
    for (String keyType : keyTypes) {
      String alias = choose(keyType);
      if (alias != null) {
        return alias;
      }
    }
    return null;
  }

  private String choose(String keyType) {
    for (int i = 0; i < pairs.size(); i++) {
      if (fits(keyType, pairs.get(i))) {
        return alias(i);
      }
    }
    return null;
  }

  /** Key types are "RSA", "EC", or tcnative's "EC_EC"/"EC_RSA" (key type, then the CA's). */
  private static boolean fits(String keyType, Pair pair) {
    String algorithm = pair.key().getAlgorithm();
    if (algorithm.equals("ECDSA")) {
      algorithm = "EC";
    } else if (algorithm.equals("EdDSA")) {
      algorithm = "Ed25519";
    }
    return fitsType(keyType, algorithm);
  }

  private static boolean fitsType(String keyType, String algorithm) {
    return keyType != null && (keyType.equals(algorithm) || keyType.startsWith(algorithm + "_"));
  }

  private Pair pair(String alias) {
    if (alias == null || !alias.startsWith("pair")) {
      return null;
    }
    try {
      int index = Integer.parseInt(alias.substring(4));
      return index >= 0 && index < pairs.size() ? pairs.get(index) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String alias(int index) {
    return "pair" + index;
  }
}
