package io.mailgate.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo token issuer: an EC P-256 key pair (ES256, RFC 7518 §3.4) made at first start, with which it mints bearer
 * tokens (RFC 7519 JWTs) for trying OAUTHBEARER with the demo configuration. Not an OAuth server: anyone who can read
 * its key file can mint tokens for any user, so it belongs to the demo configuration only.
 *
 * <p>Files in its directory: {@value #KEY_FILE}, the private JWK (mode 600 where the file system has POSIX
 * permissions), and {@value #JWKS_FILE}, the public JWK Set a token validator can load.
 */
public final class DemoTokenIssuer {

  /** The private key file's name. */
  public static final String KEY_FILE = "demo-issuer.jwk";
  /** The public JWK Set file's name. */
  public static final String JWKS_FILE = "demo-issuer-jwks.json";
  /** The {@code iss} of every token minted here. */
  public static final String ISSUER = "https://mailgate.demo/issuer";
  /** The audience {@code mailgate token} puts in its tokens. */
  public static final String AUDIENCE = "mailgate";
  /** The scope {@code mailgate token} puts in its tokens. */
  public static final String SCOPE = "mail";

  private static final Logger LOG = LoggerFactory.getLogger(DemoTokenIssuer.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ECKey key;
  private final Path jwksFile;
  private final ECDSASigner signer;
  private final Clock clock;

  private DemoTokenIssuer(ECKey key, Path jwksFile, Clock clock) throws IOException {
    this.key = key;
    this.jwksFile = jwksFile;
    this.clock = clock;
    try {
      this.signer = new ECDSASigner(key);
    } catch (JOSEException e) {
      throw new IOException("demo issuer: cannot sign with the key: " + e.getMessage(), e);
    }
  }

  /**
   * Loads the key pair from {@code dir}, or makes one there (creating {@code dir}) if there is none yet. Two processes
   * starting at once end up with the same key: the key file is only ever created whole, never overwritten.
   *
   * @throws IOException if the files cannot be read or written, or the key file holds no private P-256 key
   */
  public static DemoTokenIssuer loadOrCreate(Path dir) throws IOException {
    return loadOrCreate(dir, Clock.systemUTC());
  }

  /** {@link #loadOrCreate(Path)} with the clock that stamps tokens (tests). */
  static DemoTokenIssuer loadOrCreate(Path dir, Clock clock) throws IOException {
    createPrivateDirectories(dir);
    Path keyFile = dir.resolve(KEY_FILE);
    ECKey key;
    if (Files.exists(keyFile)) {
      key = read(keyFile);
    } else {
      key = generate();
      if (createWhole(keyFile, key.toJSONString())) {
        LOG.info("demo issuer: made a new key pair (kid {}) in {}", key.getKeyID(), dir);
      } else {
        key = read(keyFile);
      }
    }
    restrict(keyFile);
    Path jwks = dir.resolve(JWKS_FILE);
    String publicSet = new JWKSet(key.toPublicJWK()).toString(true) + "\n";
    if (!Files.exists(jwks) || !Files.readString(jwks, StandardCharsets.UTF_8).equals(publicSet)) {
      Path tmp = Files.createTempFile(dir, JWKS_FILE, ".tmp");
      Files.writeString(tmp, publicSet, StandardCharsets.UTF_8);
      Files.move(tmp, jwks, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return new DemoTokenIssuer(key, jwks, clock);
  }

  /** The {@code iss} claim of the tokens: {@value #ISSUER}. */
  public String issuer() {
    return ISSUER;
  }

  /** The public JWK Set file, for a token validator. */
  public Path jwksFile() {
    return jwksFile;
  }

  /** The public key, as the JWK Set in {@link #jwksFile()}. */
  public JWKSet publicKeys() {
    return new JWKSet(key.toPublicJWK());
  }

  /** The key's {@code kid}, random at creation and kept across restarts. */
  public String keyId() {
    return key.getKeyID();
  }

  /**
   * Mints a signed token (ES256, {@code typ} JWT) with {@code iss}, {@code sub} and {@code email} (both {@code user}),
   * {@code aud}, {@code scope}, {@code iat}, {@code nbf} (now), {@code exp} (now + lifetime) and a random {@code jti}.
   *
   * @param audience the {@code aud}, or null for none
   * @param scope the {@code scope} (RFC 8693 §4.2: space-separated), or null for none
   * @throws IllegalArgumentException if {@code user} is empty or {@code lifetime} is not positive
   */
  public String mint(String user, Duration lifetime, String audience, String scope) {
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("the user is empty");
    }
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("the lifetime must be positive");
    }
    // JWT times are whole seconds (RFC 7519 §2 NumericDate): truncate, so that exp - iat is exactly the lifetime.
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(user)
        .claim("email", user)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(lifetime)))
        .jwtID(UUID.randomUUID().toString());
    if (audience != null) {
      claims.audience(audience);
    }
    if (scope != null) {
      claims.claim("scope", scope);
    }
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build();
    SignedJWT jwt = new SignedJWT(header, claims.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("demo issuer: signing failed: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  private static ECKey generate() throws IOException {
    byte[] kid = new byte[12];
    RANDOM.nextBytes(kid);
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .keyID("demo-" + Base64.getUrlEncoder().withoutPadding().encodeToString(kid))
          .generate();
    } catch (JOSEException e) {
      throw new IOException("demo issuer: cannot make an EC P-256 key pair: " + e.getMessage(), e);
    }
  }

  private static ECKey read(Path keyFile) throws IOException {
    String json = Files.readString(keyFile, StandardCharsets.UTF_8);
    JWK jwk;
    try {
      jwk = JWK.parse(json);
    } catch (ParseException e) {
      // The parser's message could quote key material: name the file only.
      throw new IOException("demo issuer: " + keyFile + " is not a JWK");
    }
    if (!(jwk instanceof ECKey) || !jwk.isPrivate() || !Curve.P_256.equals(((ECKey) jwk).getCurve())
        || jwk.getKeyID() == null) {
      throw new IOException("demo issuer: " + keyFile + " is not a private EC P-256 JWK with a kid");
    }
    return (ECKey) jwk;
  }

  /** Writes {@code content} to a new {@code target}; false if {@code target} appeared meanwhile. */
  private static boolean createWhole(Path target, String content) throws IOException {
    Path dir = target.getParent();
    Path tmp = posix(dir)
        ? Files.createTempFile(dir, KEY_FILE, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
        : Files.createTempFile(dir, KEY_FILE, ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        // A hard link never replaces an existing file, so a concurrent creator's key is never overwritten.
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | IOException e) {
        try {
          Files.move(tmp, target);
        } catch (FileAlreadyExistsException raced) {
          return false;
        }
      }
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileAttribute<?>[] attributes = posix(parent)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR)}
        : new FileAttribute<?>[0];
    try {
      Files.createDirectory(dir, attributes);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /** Makes the key file readable by its owner only, where permissions exist. */
  private static void restrict(Path keyFile) throws IOException {
    if (posix(keyFile.getParent()) && !Files.getPosixFilePermissions(keyFile).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(keyFile, OWNER_ONLY);
    }
  }

  private static boolean posix(Path dir) throws IOException {
    return dir != null && Files.getFileStore(dir).supportsFileAttributeView("posix");
  }
}
