package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mailgate.authn.oauth.HttpFetcher;
import io.mailgate.authn.oauth.OAuthSettings;
import io.mailgate.authn.oauth.TokenResult;
import io.mailgate.authn.oauth.TokenValidator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * JWT and JWKS handling, and the introspection answer: fuzzed tokens and key sets give a {@link TokenResult}, never an
 * exception or a hang; a token is never accepted unless signed by a key of the set. The keys are generated per run
 * and never written down, so no corpus entry can carry a valid signature: every fuzzed token must be rejected, and so
 * must every well-formed token signed by a key outside the (fuzzed) set.
 */
class JwtFuzzTest {

  private static final String ISSUER = "https://idp.example";
  private static final URI JWKS = URI.create("https://idp.example/jwks");
  private static final URI INTROSPECT = URI.create("https://idp.example/introspect");
  private static final String CLIENT_SECRET = "Fz-Client-Secret-91d3";
  private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static final RSAKey KNOWN_RSA = rsa("k1");
  private static final ECKey KNOWN_EC = ec("k2");
  private static final RSAKey FOREIGN_RSA = rsa("k1");
  private static final ECKey FOREIGN_EC = ec("k2");
  private static final String KNOWN_JWKS =
      new JWKSet(List.of(KNOWN_RSA.toPublicJWK(), KNOWN_EC.toPublicJWK())).toString();
  private static final TokenValidator KNOWN_KEYS = jwtValidator(KNOWN_JWKS);

  @FuzzTest(maxDuration = "30s")
  void fuzzedTokenIsNeverAccepted(byte[] input) {
    if (input.length == 0) {
      // The property can fail: a token signed by a key of the set does pass.
      assertThat(check(KNOWN_KEYS, sign(KNOWN_RSA, JWSAlgorithm.RS256, "k1", goodClaims().build())))
          .isInstanceOf(TokenResult.Valid.class);
      return;
    }
    TokenResult result = check(KNOWN_KEYS, new String(input, StandardCharsets.UTF_8));
    assertThat(result).isNotInstanceOf(TokenResult.Valid.class);
  }

  @FuzzTest(maxDuration = "30s")
  void foreignSignatureIsNeverAccepted(FuzzedDataProvider data) {
    boolean useEc = data.consumeBoolean();
    JWSAlgorithm alg = useEc ? JWSAlgorithm.ES256
        : data.pickValue(List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256));
    String kid = data.consumeBoolean() ? data.pickValue(List.of("k1", "k2")) : data.consumeString(10);
    JWTClaimsSet.Builder claims = goodClaims();
    if (data.consumeBoolean()) {
      claims.issuer(data.consumeString(30)).audience(data.consumeString(10)).subject(data.consumeString(20))
          .expirationTime(Date.from(NOW.plusSeconds(data.consumeLong(-1_000_000, 1_000_000))));
    }
    String jwks = data.consumeBoolean() ? KNOWN_JWKS : data.consumeRemainingAsString();
    String token = useEc ? sign(FOREIGN_EC, alg, kid, claims.build()) : sign(FOREIGN_RSA, alg, kid, claims.build());
    assertThat(check(jwtValidator(jwks), token)).isNotInstanceOf(TokenResult.Valid.class);
  }

  @FuzzTest(maxDuration = "30s")
  void fuzzedKeySetAndTokenGiveAResult(FuzzedDataProvider data) {
    // The fuzzer picks where the key set ends, so that both halves get bytes however short the input.
    String jwks = data.consumeString(data.consumeInt(0, 4000));
    String token = data.consumeRemainingAsString();
    assertThat(check(jwtValidator(jwks), token)).isNotNull();
  }

  @FuzzTest(maxDuration = "30s")
  void introspectionAnswerIsHonouredOnlyWhenActive(byte[] input) {
    String body = new String(input, StandardCharsets.UTF_8);
    TokenValidator validator = new TokenValidator(
        OAuthSettings.builder().introspection(INTROSPECT, "mailgate", CLIENT_SECRET).build(),
        answering(INTROSPECT, body), CLOCK);
    TokenResult result = check(validator, "opaque-token");
    if (result instanceof TokenResult.Valid) {
      assertThat(activeIsTrue(body)).as("honoured without \"active\": true").isTrue();
    } else if (result instanceof TokenResult.Invalid invalid) {
      assertThat(invalid.logReason()).doesNotContain(CLIENT_SECRET, "opaque-token");
    } else if (result instanceof TokenResult.Unavailable unavailable) {
      assertThat(unavailable.reason()).doesNotContain(CLIENT_SECRET, "opaque-token");
    }
  }

  private static boolean activeIsTrue(String body) {
    try {
      return Boolean.TRUE.equals(JSONObjectUtils.parse(body).get("active"));
    } catch (ParseException e) {
      return false;
    }
  }

  /** The result, which must come (never exceptionally) within a few seconds: the fetcher answers at once. */
  private static TokenResult check(TokenValidator validator, String token) {
    try {
      TokenResult result = validator.validate(token, Optional.empty()).get(5, TimeUnit.SECONDS);
      assertThat(result).isNotNull();
      return result;
    } catch (Exception e) {
      throw new AssertionError("no TokenResult for the token: " + e, e);
    }
  }

  private static TokenValidator jwtValidator(String jwks) {
    return new TokenValidator(OAuthSettings.builder().jwksUri(JWKS).issuer(ISSUER)
        .keyRefreshMinInterval(Duration.ofHours(1)).build(), answering(JWKS, jwks), CLOCK);
  }

  /** A fetcher with one document: {@code body} at {@code uri}, 404 elsewhere. */
  private static HttpFetcher answering(URI uri, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return new HttpFetcher() {
      @Override
      public CompletableFuture<HttpResponse> get(URI target, Duration timeout) {
        return answer(target);
      }

      @Override
      public CompletableFuture<HttpResponse> postForm(URI target, Map<String, String> form, String user,
          String secret, Duration timeout) {
        return answer(target);
      }

      private CompletableFuture<HttpResponse> answer(URI target) {
        return CompletableFuture.completedFuture(
            target.equals(uri) ? new HttpResponse(200, bytes) : new HttpResponse(404, new byte[0]));
      }
    };
  }

  private static JWTClaimsSet.Builder goodClaims() {
    return new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice@example.com")
        .claim("email", "alice@example.com")
        .issueTime(Date.from(NOW.minusSeconds(60))).expirationTime(Date.from(NOW.plusSeconds(3600)));
  }

  private static String sign(com.nimbusds.jose.jwk.JWK key, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
    try {
      JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
