package io.mailgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTokenIssuerTest {

  @TempDir
  Path temp;

  @Test
  void theFirstStartMakesAP256KeyPairAndStoresItsFiles() throws Exception {
    Path dir = temp.resolve("conf/demo");
    DemoTokenIssuer issuer = DemoTokenIssuer.loadOrCreate(dir);

    JWK stored = JWK.parse(Files.readString(dir.resolve(DemoTokenIssuer.KEY_FILE)));
    assertThat(stored).isInstanceOf(ECKey.class);
    assertThat(stored.isPrivate()).isTrue();
    assertThat(((ECKey) stored).getCurve()).isEqualTo(Curve.P_256);
    assertThat(stored.getKeyID()).isEqualTo(issuer.keyId()).startsWith("demo-").hasSizeGreaterThan(12);
    assertThat(stored.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);

    assertThat(issuer.jwksFile()).isEqualTo(dir.resolve(DemoTokenIssuer.JWKS_FILE));
    String publicSet = Files.readString(issuer.jwksFile());
    JWKSet jwks = JWKSet.parse(publicSet);
    assertThat(jwks.getKeys()).hasSize(1);
    assertThat(jwks.getKeys().get(0).isPrivate()).isFalse();
    assertThat(jwks.getKeys().get(0).getKeyID()).isEqualTo(issuer.keyId());
    assertThat(publicSet).doesNotContain("\"d\"");
    assertThat(issuer.publicKeys().toString()).isEqualTo(jwks.toString());
    assertThat(issuer.issuer()).isEqualTo("https://mailgate.demo/issuer");
  }

  @Test
  void theKeyFileIsReadableByItsOwnerOnly() throws Exception {
    Path dir = temp.resolve("demo");
    DemoTokenIssuer.loadOrCreate(dir);
    if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(DemoTokenIssuer.KEY_FILE))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      // No temporary file is left behind.
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder(DemoTokenIssuer.KEY_FILE, DemoTokenIssuer.JWKS_FILE);
      }
    }
  }

  @Test
  void looserPermissionsOnAnExistingKeyFileAreTightened() throws Exception {
    Path dir = temp.resolve("demo");
    DemoTokenIssuer.loadOrCreate(dir);
    Path keyFile = dir.resolve(DemoTokenIssuer.KEY_FILE);
    if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
      DemoTokenIssuer.loadOrCreate(dir);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    }
  }

  @Test
  void aLaterStartLoadsTheSameKeyAndRestoresAMissingJwksFile() throws Exception {
    Path dir = temp.resolve("demo");
    DemoTokenIssuer first = DemoTokenIssuer.loadOrCreate(dir);
    String token = first.mint("alice@example.org", Duration.ofMinutes(5), "mailgate", "mail");
    String keyFile = Files.readString(dir.resolve(DemoTokenIssuer.KEY_FILE));
    Files.delete(first.jwksFile());

    DemoTokenIssuer second = DemoTokenIssuer.loadOrCreate(dir);
    assertThat(second.keyId()).isEqualTo(first.keyId());
    assertThat(Files.readString(dir.resolve(DemoTokenIssuer.KEY_FILE))).isEqualTo(keyFile);
    assertThat(verify(token, JWKSet.load(second.jwksFile().toFile())).getSubject()).isEqualTo("alice@example.org");
  }

  @Test
  void issuersStartingTogetherShareOneKey() throws Exception {
    Path dir = temp.resolve("race");
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> kids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        kids.add(pool.submit(() -> {
          go.await();
          return DemoTokenIssuer.loadOrCreate(dir).keyId();
        }));
      }
      go.countDown();
      Set<String> distinct = new java.util.HashSet<>();
      for (Future<String> kid : kids) {
        distinct.add(kid.get());
      }
      assertThat(distinct).containsExactly(JWK.parse(Files.readString(dir.resolve(DemoTokenIssuer.KEY_FILE)))
          .getKeyID());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void mintedTokensVerifyWithNimbusAndCarryTheClaims() throws Exception {
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    DemoTokenIssuer issuer = DemoTokenIssuer.loadOrCreate(temp.resolve("demo"), Clock.fixed(now, ZoneOffset.UTC));
    String token = issuer.mint("alice@example.org", Duration.ofHours(1), "mailgate", "mail imap");

    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(issuer.keyId());
    assertThat(jwt.verify(new ECDSAVerifier(((ECKey) issuer.publicKeys().getKeys().get(0)).toECPublicKey())))
        .isTrue();

    JWTClaimsSet claims = verify(token, JWKSet.load(issuer.jwksFile().toFile()));
    assertThat(claims.getIssuer()).isEqualTo("https://mailgate.demo/issuer");
    assertThat(claims.getSubject()).isEqualTo("alice@example.org");
    assertThat(claims.getStringClaim("email")).isEqualTo("alice@example.org");
    assertThat(claims.getAudience()).containsExactly("mailgate");
    assertThat(claims.getStringClaim("scope")).isEqualTo("mail imap");
    assertThat(claims.getIssueTime()).isEqualTo(Date.from(now));
    assertThat(claims.getNotBeforeTime()).isEqualTo(Date.from(now));
    assertThat(claims.getExpirationTime()).isEqualTo(Date.from(now.plusSeconds(3600)));
    assertThat(claims.getJWTID()).isNotBlank();
    String other = issuer.mint("alice@example.org", Duration.ofHours(1), "mailgate", "mail imap");
    assertThat(SignedJWT.parse(other).getJWTClaimsSet().getJWTID()).isNotEqualTo(claims.getJWTID());
  }

  @Test
  void aTamperedTokenOrOneFromAnotherKeyFailsVerification() throws Exception {
    DemoTokenIssuer issuer = DemoTokenIssuer.loadOrCreate(temp.resolve("a"));
    DemoTokenIssuer stranger = DemoTokenIssuer.loadOrCreate(temp.resolve("b"));
    assertThat(stranger.keyId()).isNotEqualTo(issuer.keyId());
    JWKSet keys = JWKSet.load(issuer.jwksFile().toFile());

    String token = issuer.mint("alice@example.org", Duration.ofHours(1), "mailgate", "mail");
    String[] parts = token.split("\\.");
    String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        SignedJWT.parse(token).getJWTClaimsSet().toJSONObject().toString().replace("alice", "mallory")
            .getBytes(StandardCharsets.UTF_8));
    String forged = parts[0] + "." + forgedClaims + "." + parts[2];
    assertThatThrownBy(() -> verify(forged, keys)).isInstanceOf(Exception.class);

    String foreign = stranger.mint("alice@example.org", Duration.ofHours(1), "mailgate", "mail");
    assertThatThrownBy(() -> verify(foreign, keys)).isInstanceOf(Exception.class);
  }

  @Test
  void anExpiredTokenIsRejectedByAValidator() throws Exception {
    Instant past = Instant.now().minus(Duration.ofHours(3));
    DemoTokenIssuer issuer = DemoTokenIssuer.loadOrCreate(temp.resolve("demo"), Clock.fixed(past, ZoneOffset.UTC));
    String token = issuer.mint("alice@example.org", Duration.ofHours(1), "mailgate", "mail");
    assertThatThrownBy(() -> verify(token, JWKSet.load(issuer.jwksFile().toFile())))
        .isInstanceOf(BadJWTException.class).hasMessageContaining("xpired");
  }

  @Test
  void audienceAndScopeMayBeLeftOut() throws Exception {
    DemoTokenIssuer issuer = DemoTokenIssuer.loadOrCreate(temp.resolve("demo"));
    JWTClaimsSet claims = SignedJWT.parse(issuer.mint("bob", Duration.ofMinutes(1), null, null)).getJWTClaimsSet();
    assertThat(claims.getAudience()).isEmpty();
    assertThat(claims.getClaim("scope")).isNull();
    assertThat(claims.getSubject()).isEqualTo("bob");
  }

  @Test
  void anEmptyUserOrANonPositiveLifetimeIsRefused() throws Exception {
    DemoTokenIssuer issuer = DemoTokenIssuer.loadOrCreate(temp.resolve("demo"));
    assertThatThrownBy(() -> issuer.mint("", Duration.ofMinutes(1), null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> issuer.mint("bob", Duration.ZERO, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnusableKeyFileIsAnIoExceptionThatQuotesNoKey() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("demo"));
    Path keyFile = dir.resolve(DemoTokenIssuer.KEY_FILE);
    Files.writeString(keyFile, "{\"kty\":\"EC\",\"d\":\"c2VjcmV0LW1hdGVyaWFs\"");
    assertThatThrownBy(() -> DemoTokenIssuer.loadOrCreate(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining(keyFile.toString()).message().doesNotContain("c2VjcmV0");

    JWK publicOnly = DemoTokenIssuer.loadOrCreate(temp.resolve("other")).publicKeys().getKeys().get(0);
    Files.writeString(keyFile, publicOnly.toJSONString());
    assertThatThrownBy(() -> DemoTokenIssuer.loadOrCreate(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a private EC P-256 JWK");
  }

  /** Verifies as a token validator would: signature by a key of {@code keys}, issuer, audience, time claims. */
  static JWTClaimsSet verify(String token, JWKSet keys) throws Exception {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(keys)));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>("mailgate",
        new JWTClaimsSet.Builder().issuer("https://mailgate.demo/issuer").build(),
        Set.of("sub", "email", "iat", "nbf", "exp", "jti")));
    return processor.process(token, null);
  }
}
