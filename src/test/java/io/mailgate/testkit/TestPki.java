package io.mailgate.testkit;

import io.mailgate.config.TlsConfig;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for TLS tests, written as PEM files into a folder: a root CA (RSA), server pairs (RSA or ECDSA)
 * for DNS names or IP literals, client certificates (good, expired, revoked with a CRL, from an unknown CA,
 * self-signed), encrypted keys in both OpenSSL formats and password files.
 */
public final class TestPki {
  /** A certificate and its key on disk. */
  public record Pair(Path certificate, Path key, X509Certificate x509, PrivateKey privateKey) {
    /** As {@code ssl_certificate}/{@code ssl_certificate_key}. */
    public TlsConfig.CertificatePair config() {
      return new TlsConfig.CertificatePair(certificate, key);
    }
  }

  /** Which key algorithm. */
  public enum KeyType {
    /** RSA 2048. */
    RSA,
    /** ECDSA P-256. */
    ECDSA
  }

  private static final AtomicLong SERIALS = new AtomicLong(0x1001);
  private final Path dir;
  private final Pair ca;
  private final List<BigInteger> revoked = new ArrayList<>();

  private TestPki(Path dir, Pair ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** A new CA named {@code CN=Mailgate Test CA,O=Mailgate} with its files in {@code dir}. */
  public static TestPki create(Path dir) {
    return create(dir, "Mailgate Test CA");
  }

  /** A new CA with the given common name, files in {@code dir} (prefixed by the name). */
  public static TestPki create(Path dir, String caName) {
    KeyPair keys = keyPair(KeyType.RSA);
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Mailgate").addRDN(BCStyle.CN, caName)
        .build();
    Instant now = Instant.now();
    X509Certificate cert = sign(name, keys.getPublic(), name, keys.getPrivate(), now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(30)), true, List.of());
    String base = caName.replaceAll("[^A-Za-z0-9]+", "-");
    return new TestPki(dir, write(dir, base + "-ca", cert, keys.getPrivate()));
  }

  /** An intermediate CA signed by this one; its files are in the same folder. */
  public TestPki subordinate(String caName) {
    KeyPair keys = keyPair(KeyType.RSA);
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Mailgate").addRDN(BCStyle.CN, caName)
        .build();
    try {
      X500Name issuer = new X509CertificateHolder(ca.x509().getEncoded()).getSubject();
      X509Certificate cert = sign(name, keys.getPublic(), issuer, ca.privateKey(), Instant.now().minus(Duration.ofDays(1)),
          Instant.now().plus(Duration.ofDays(30)), true, List.of());
      return new TestPki(dir, write(dir, caName.replaceAll("[^A-Za-z0-9]+", "-") + "-ca", cert, keys.getPrivate()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CA's certificate and key. */
  public Pair ca() {
    return ca;
  }

  /** A server certificate for {@code names} (DNS names or IP literals; the first is the CN), signed by the CA. */
  public Pair server(KeyType type, String... names) {
    return issue(type, subject("CN=" + names[0]), List.of(names), Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(30)), names[0] + "-" + type.name().toLowerCase());
  }

  /**
   * A client certificate signed by the CA.
   *
   * @param rdns the subject in OpenSSL's {@code -subj} order, e.g. {@code "O=Example", "CN=alice",
   *     "emailAddress=alice@example.com"}
   */
  public Pair client(String fileName, String... rdns) {
    return issue(KeyType.RSA, subject(rdns), List.of(), Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(30)), fileName);
  }

  /** A client certificate signed by the CA that expired yesterday. */
  public Pair expiredClient(String fileName, String commonName) {
    return issue(KeyType.RSA, subject("CN=" + commonName), List.of(), Instant.now().minus(Duration.ofDays(10)),
        Instant.now().minus(Duration.ofDays(1)), fileName);
  }

  /** A client certificate signed by the CA and listed in {@link #crl()}. */
  public Pair revokedClient(String fileName, String commonName) {
    Pair pair = client(fileName, "CN=" + commonName);
    revoked.add(pair.x509().getSerialNumber());
    return pair;
  }

  /** A self-signed client certificate (no CA), as nginx-tests make with {@code openssl req -x509}. */
  public Pair selfSigned(String fileName, String commonName) {
    KeyPair keys = keyPair(KeyType.RSA);
    X500Name name = subject("CN=" + commonName);
    Instant now = Instant.now();
    X509Certificate cert = sign(name, keys.getPublic(), name, keys.getPrivate(), now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(30)), true, List.of());
    return write(dir, fileName, cert, keys.getPrivate());
  }

  /** The CA's CRL (revoking what {@link #revokedClient} issued so far), valid for a week. */
  public Path crl() {
    try {
      Instant now = Instant.now();
      X509v2CRLBuilder builder = new X509v2CRLBuilder(new X509CertificateHolder(ca.x509().getEncoded()).getSubject(),
          Date.from(now.minus(Duration.ofHours(1))));
      builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(7))));
      for (BigInteger serial : revoked) {
        builder.addCRLEntry(serial, Date.from(now.minus(Duration.ofMinutes(5))), CRLReason.keyCompromise);
      }
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(ca.privateKey());
      java.security.cert.X509CRL crl = new JcaX509CRLConverter().getCRL(builder.build(signer));
      Path file = dir.resolve(ca.certificate().getFileName().toString().replace(".crt", ".crl"));
      try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem =
          new JcaPEMWriter(out)) {
        pem.writeObject(crl);
      }
      return file;
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code pair}'s key encrypted the traditional way ({@code openssl genrsa -aes128 -traditional}). */
  public Path encryptedTraditionalKey(Pair pair, String password) {
    Path file = dir.resolve(pair.key().getFileName() + ".aes128-traditional");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem =
        new JcaPEMWriter(out)) {
      pem.writeObject(new JcaMiscPEMGenerator(traditional(pair.privateKey()),
          new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new BouncyCastleProvider()).setSecureRandom(new SecureRandom()).build(password.toCharArray())));
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code pair}'s key as encrypted PKCS#8 (OpenSSL 3's default for {@code genrsa -aes128}). */
  public Path encryptedPkcs8Key(Pair pair, String password) {
    Path file = dir.resolve(pair.key().getFileName() + ".pkcs8-encrypted");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem =
        new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(pair.privateKey(),
          new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider()).setPassword(password.toCharArray())
              .build()));
      return file;
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A password file with one line per password. */
  public Path passwordFile(String name, String... lines) {
    try {
      return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Pair issue(KeyType type, X500Name subject, List<String> names, Instant from, Instant to, String file) {
    KeyPair keys = keyPair(type);
    try {
      X500Name issuer = new X509CertificateHolder(ca.x509().getEncoded()).getSubject();
      X509Certificate cert = sign(subject, keys.getPublic(), issuer, ca.privateKey(), from, to, false, names);
      return write(dir, file, cert, keys.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X500Name subject(String... rdns) {
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
    for (String rdn : rdns) {
      int eq = rdn.indexOf('=');
      builder.addRDN(BCStyle.INSTANCE.attrNameToOID(rdn.substring(0, eq)), rdn.substring(eq + 1));
    }
    return builder.build();
  }

  private static X509Certificate sign(X500Name subject, java.security.PublicKey key, X500Name issuer,
      PrivateKey issuerKey, Instant from, Instant to, boolean ca, List<String> names) {
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIALS.getAndIncrement()).shiftLeft(40).add(BigInteger.valueOf(0xABCDEF)),
          Date.from(from), Date.from(to), subject, key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.keyUsage, true, ca
          ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
          : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      if (!names.isEmpty()) {
        List<GeneralName> sans = new ArrayList<>();
        for (String name : names) {
          sans.add(isIp(name) ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName,
              name));
        }
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(sans.toArray(new GeneralName[0])));
      }
      String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JDK's EC keys lack the curve inside SEC1's ECPrivateKey; Bouncy Castle's carry it, as OpenSSL writes. */
  private static PrivateKey traditional(PrivateKey key) {
    if (!key.getAlgorithm().equals("EC")) {
      return key;
    }
    try {
      return KeyFactory.getInstance("EC", new BouncyCastleProvider())
          .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isIp(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  private static KeyPair keyPair(KeyType type) {
    try {
      if (type == KeyType.RSA) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Pair write(Path dir, String name, X509Certificate cert, PrivateKey key) {
    Path certFile = dir.resolve(name + ".crt");
    Path keyFile = dir.resolve(name + ".key");
    try {
      try (Writer out = Files.newBufferedWriter(certFile, StandardCharsets.US_ASCII); JcaPEMWriter pem =
          new JcaPEMWriter(out)) {
        pem.writeObject(cert);
      }
      try (Writer out = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII); JcaPEMWriter pem =
          new JcaPEMWriter(out)) {
        // JcaPEMWriter writes the traditional form (BEGIN RSA/EC PRIVATE KEY).
        pem.writeObject(traditional(key));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new Pair(certFile, keyFile, cert, key);
  }
}
