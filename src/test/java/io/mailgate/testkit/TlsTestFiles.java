package io.mailgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The certificates the TLS integration tests share, generated once per JVM by {@link TestPki} into a temporary folder
 * (RSA key generation is the slow part of a TLS test): a test CA, server RSA and ECDSA pairs for {@code localhost}
 * and {@code 127.0.0.1}, a pair for an SNI name, client certificates (good, expired, revoked with the CA's CRL,
 * self-signed, from a second CA that is only trusted), and the RSA key encrypted with a password file.
 */
public final class TlsTestFiles {

  /** The name {@link #sni} is issued for. */
  public static final String SNI_NAME = "sni.mail.test";
  /** The password of {@link #encryptedKey}; the password file's second line. */
  public static final String KEY_PASSWORD = "s3cret-key";

  private static TlsTestFiles shared;

  /** The folder holding every file. */
  public final Path dir;
  /** The test CA. */
  public final TestPki pki;
  /** A second CA: its certificates are trusted ({@code ssl_trusted_certificate}) but not requested. */
  public final TestPki otherPki;
  /** Server pair, RSA, for {@code localhost} and {@code 127.0.0.1}. */
  public final TestPki.Pair serverRsa;
  /** Server pair, ECDSA P-256, same names. */
  public final TestPki.Pair serverEcdsa;
  /** Server pair for {@link #SNI_NAME}. */
  public final TestPki.Pair sni;
  /** Client {@code CN=alice,O=Example} from the test CA. */
  public final TestPki.Pair alice;
  /** Client from the test CA, expired yesterday. */
  public final TestPki.Pair expired;
  /** Client from the test CA, listed in {@link #crl}. */
  public final TestPki.Pair revoked;
  /** Self-signed client {@code CN=selfie}. */
  public final TestPki.Pair selfSigned;
  /** Client {@code CN=bob} from {@link #otherPki}. */
  public final TestPki.Pair bob;
  /** The test CA's CRL, revoking {@link #revoked}. */
  public final Path crl;
  /** {@link #serverRsa}'s key as encrypted PKCS#8. */
  public final Path encryptedKey;
  /** A password file: a wrong password first, then {@link #KEY_PASSWORD} (nginx tries each line). */
  public final Path passwordFile;

  private TlsTestFiles(Path dir) {
    this.dir = dir;
    this.pki = TestPki.create(dir);
    this.otherPki = TestPki.create(dir, "Other Trusted CA");
    this.serverRsa = pki.server(TestPki.KeyType.RSA, "localhost", "127.0.0.1");
    this.serverEcdsa = pki.server(TestPki.KeyType.ECDSA, "localhost", "127.0.0.1");
    this.sni = pki.server(TestPki.KeyType.RSA, SNI_NAME);
    this.alice = pki.client("alice", "O=Example", "CN=alice");
    this.expired = pki.expiredClient("expired", "old");
    this.revoked = pki.revokedClient("revoked", "gone");
    this.selfSigned = pki.selfSigned("selfie", "selfie");
    this.bob = otherPki.client("bob", "CN=bob");
    this.crl = pki.crl();
    this.encryptedKey = pki.encryptedPkcs8Key(serverRsa, KEY_PASSWORD);
    this.passwordFile = pki.passwordFile("key.pass", "wrong-one", KEY_PASSWORD);
  }

  /** The shared files, generated on first use; the folder is deleted when the JVM exits. */
  public static synchronized TlsTestFiles shared() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("mailgate-tls-it");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        shared = new TlsTestFiles(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** A client trusting the test CA. */
  public TlsClientOptions client() {
    return TlsClientOptions.trusting(pki.ca().x509());
  }

  /** {@code ssl_certificate} and {@code ssl_certificate_key} for {@code pair}, as directives. */
  public static String certificate(TestPki.Pair pair) {
    return "ssl_certificate " + pair.certificate() + "; ssl_certificate_key " + pair.key() + ";";
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at exit
    }
  }
}
