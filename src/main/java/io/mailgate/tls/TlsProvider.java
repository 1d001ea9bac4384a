package io.mailgate.tls;

import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The TLS implementation in use: netty-tcnative's BoringSSL when it loads, else (or with
 * {@code -Dmailgate.tls.provider=jdk}) the JDK's. Knows each one's protocols and cipher names.
 */
enum TlsProvider {
  /** netty-tcnative-boringssl-static. */
  BORINGSSL("BoringSSL", SslProvider.OPENSSL),
  /** The JDK's SunJSSE. */
  JDK("JDK", SslProvider.JDK);

  /** The system property that forces the JDK provider. */
  static final String PROPERTY = "mailgate.tls.provider";

  private static final Set<String> BORINGSSL_PROTOCOLS = Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  private final String displayName;
  private final SslProvider nettyProvider;

  TlsProvider(String displayName, SslProvider nettyProvider) {
    this.displayName = displayName;
    this.nettyProvider = nettyProvider;
  }

  /** BoringSSL when available and not overridden by {@value #PROPERTY}{@code =jdk}. */
  static TlsProvider select() {
    String wanted = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
    if (wanted.equals("jdk") || !OpenSsl.isAvailable()) {
      return JDK;
    }
    return BORINGSSL;
  }

  String displayName() {
    return displayName;
  }

  SslProvider nettyProvider() {
    return nettyProvider;
  }

  /** Whether the provider can enable {@code protocol} (the JDK: those it enables by default, per java.security). */
  boolean supportsProtocol(String protocol) {
    if (this == BORINGSSL) {
      return BORINGSSL_PROTOCOLS.contains(protocol);
    }
    return Arrays.asList(jdkDefaults().getProtocols()).contains(protocol);
  }

  /** TLS 1.2-and-older suites by OpenSSL name, mapped to the name the provider takes. */
  Map<String, String> legacySuites() {
    Map<String, String> suites = new LinkedHashMap<>();
    if (this == BORINGSSL) {
      for (String name : OpenSsl.availableOpenSslCipherSuites()) {
        if (!isTls13OpenSslName(name)) {
          suites.put(name, name);
        }
      }
      return suites;
    }
    for (String javaName : jdkSupported().getCipherSuites()) {
      if (javaName.contains("_WITH_")) {
        String openSsl = CipherSuiteConverter.toOpenSsl(javaName, false);
        if (openSsl != null) {
          suites.putIfAbsent(openSsl, javaName);
        }
      }
    }
    return suites;
  }

  /** TLS 1.3 suites in the provider's names; always enabled as OpenSSL's cipher strings do not govern them. */
  List<String> tls13Suites() {
    List<String> suites = new ArrayList<>();
    if (this == BORINGSSL) {
      for (String name : OpenSsl.availableOpenSslCipherSuites()) {
        if (name.startsWith("TLS_")) {
          suites.add(name);
        }
      }
      return suites;
    }
    for (String javaName : jdkSupported().getCipherSuites()) {
      if (javaName.startsWith("TLS_") && !javaName.contains("_WITH_") && !javaName.endsWith("_SCSV")) {
        suites.add(javaName);
      }
    }
    return suites;
  }

  private static boolean isTls13OpenSslName(String name) {
    return name.startsWith("TLS_") || name.startsWith("AEAD-");
  }

  private static SSLParameters jdkDefaults() {
    try {
      return SSLContext.getDefault().getDefaultSSLParameters();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has a default SSLContext", e);
    }
  }

  private static SSLParameters jdkSupported() {
    try {
      return SSLContext.getDefault().getSupportedSSLParameters();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has a default SSLContext", e);
    }
  }
}
