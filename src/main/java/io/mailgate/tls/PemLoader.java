package io.mailgate.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates, CRLs, private keys (PKCS#8, traditional PKCS#1/SEC1, and both encrypted forms that
 * {@code openssl genrsa -aes128 [-traditional]} writes) and {@code ssl_password_file}, once at start-up.
 */
final class PemLoader {
  /** Not registered globally: other code keeps the JDK's provider order. */
  private static final Provider BC = new BouncyCastleProvider();

  private PemLoader() {}

  /** A certificate chain, leaf first, for {@code ssl_certificate}. */
  static List<X509Certificate> chain(Path file) throws TlsSetupException {
    List<X509Certificate> certs;
    try {
      certs = certificates(file);
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsSetupException("cannot load certificate \"" + file + "\": " + describe(e), e);
    }
    if (certs.isEmpty()) {
      throw new TlsSetupException("cannot load certificate \"" + file + "\": no certificate found");
    }
    return certs;
  }

  /** CA certificates, for {@code ssl_client_certificate}, {@code ssl_trusted_certificate} and the like. */
  static List<X509Certificate> caFile(Path file) throws TlsSetupException {
    try {
      List<X509Certificate> certs = certificates(file);
      if (certs.isEmpty()) {
        throw new TlsSetupException("SSL_CTX_load_verify_locations(\"" + file + "\") failed: no certificate found");
      }
      return certs;
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsSetupException("SSL_CTX_load_verify_locations(\"" + file + "\") failed: " + describe(e), e);
    }
  }

  /** The CRLs of {@code ssl_crl}. */
  static List<X509CRL> crls(Path file) throws TlsSetupException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends CRL> all = CertificateFactory.getInstance("X.509").generateCRLs(in);
      List<X509CRL> crls = new ArrayList<>();
      for (CRL crl : all) {
        crls.add((X509CRL) crl);
      }
      if (crls.isEmpty()) {
        throw new TlsSetupException("X509_LOOKUP_load_file(\"" + file + "\") failed: no CRL found");
      }
      return crls;
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsSetupException("X509_LOOKUP_load_file(\"" + file + "\") failed: " + describe(e), e);
    }
  }

  /** The non-empty lines of {@code ssl_password_file} (CR LF or LF), tried in order as nginx does. */
  static List<String> passwords(Optional<Path> file) throws TlsSetupException {
    if (file.isEmpty()) {
      return List.of();
    }
    try {
      List<String> lines = new ArrayList<>();
      for (String line : Files.readString(file.get(), StandardCharsets.ISO_8859_1).split("\n")) {
        String pw = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (!pw.isEmpty()) {
          lines.add(pw);
        }
      }
      return lines;
    } catch (IOException e) {
      throw new TlsSetupException("open() \"" + file.get() + "\" failed: " + describe(e), e);
    }
  }

  /** The private key in {@code file}, decrypted with the first password that works; checked against the cert. */
  static PrivateKey privateKey(Path file, List<String> passwords, X509Certificate leaf) throws TlsSetupException {
    String prefix = "cannot load certificate key \"" + file + "\": ";
    PrivateKey key;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      key = toJdkKey(firstKey(parser, passwords, prefix));
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsSetupException(prefix + describe(e), e);
    }
    if (!matches(key, leaf)) {
      throw new TlsSetupException("SSL_CTX_use_PrivateKey(\"" + file + "\") failed: key values mismatch");
    }
    return key;
  }

  /**
   * Bouncy Castle parses every format (SEC1 EC keys carry their curve outside the algorithm identifier, which the
   * JDK's parser rejects); its PKCS#8 re-encoding gives a JDK key that SunJSSE and tcnative handle natively.
   */
  private static PrivateKey toJdkKey(PrivateKey key) throws GeneralSecurityException {
    String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
  }

  private static PrivateKey firstKey(PEMParser parser, List<String> passwords, String prefix)
      throws IOException, TlsSetupException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
    Object item;
    while ((item = parser.readObject()) != null) {
      if (item instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (item instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
        return decrypt(item, passwords, converter, prefix);
      }
      // Anything else (EC PARAMETERS, a certificate in the same file) is skipped, as OpenSSL does.
    }
    throw new TlsSetupException(prefix + "PEM_read_bio_PrivateKey() failed (no private key found)");
  }

  private static PrivateKey decrypt(Object item, List<String> passwords, JcaPEMKeyConverter converter, String prefix)
      throws TlsSetupException {
    if (passwords.isEmpty()) {
      throw new TlsSetupException(prefix + "PEM_read_bio_PrivateKey() failed (encrypted key and no ssl_password_file)");
    }
    for (String password : passwords) {
      try {
        char[] chars = password.toCharArray();
        if (item instanceof PEMEncryptedKeyPair pair) {
          return converter.getPrivateKey(
              pair.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(chars))
                  .getPrivateKeyInfo());
        }
        PKCS8EncryptedPrivateKeyInfo info = (PKCS8EncryptedPrivateKeyInfo) item;
        return converter.getPrivateKey(
            info.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(chars)));
      } catch (Exception wrongPassword) {
        // A wrong password shows up as a padding or parsing error: try the next line, as nginx does.
      }
    }
    throw new TlsSetupException(prefix + "PEM_read_bio_PrivateKey() failed (bad decrypt: no password in "
        + "ssl_password_file decrypts it)");
  }

  private static boolean matches(PrivateKey key, X509Certificate leaf) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    try {
      byte[] probe = "mailgate key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certs = new ArrayList<>();
      for (java.security.cert.Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certs.add((X509Certificate) cert);
      }
      return certs;
    }
  }

  /** An exception's text without a stack trace; never contains a password (passwords are not put in messages). */
  static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "Permission denied";
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
