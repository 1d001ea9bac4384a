package io.mailgate.authn.oauth;

import static io.mailgate.authn.oauth.TestTokens.DISCOVERY;
import static io.mailgate.authn.oauth.TestTokens.EC1;
import static io.mailgate.authn.oauth.TestTokens.ISSUER;
import static io.mailgate.authn.oauth.TestTokens.JWKS;
import static io.mailgate.authn.oauth.TestTokens.NOW;
import static io.mailgate.authn.oauth.TestTokens.RSA1;
import static io.mailgate.authn.oauth.TestTokens.RSA2;
import static io.mailgate.authn.oauth.TestTokens.claims;
import static io.mailgate.authn.oauth.TestTokens.rs256;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key fetching through the validator: refresh on unknown kid, rate limit, rotation, outages, discovery, file. */
class KeySetCacheTest {

  private final MutableClock clock = new MutableClock(NOW);
  private final FakeFetcher fetcher = new FakeFetcher().json(JWKS, TestTokens.jwks(RSA1));
  private final TokenValidator validator = new TokenValidator(
      OAuthSettings.builder().jwksUri(JWKS).issuer(ISSUER).build(), fetcher, clock);

  private static final String RSA1_TOKEN = rs256(claims().build());
  private static final String RSA2_TOKEN = TestTokens.rsa(JWSAlgorithm.RS256, RSA2, claims().build());
  private static final String LONG_TOKEN = rs256(claims().expirationTime(Date.from(NOW.plus(Duration.ofDays(1))))
      .build());

  private TokenResult validate(String token) {
    return validator.validate(token, Optional.empty()).join();
  }

  @Test
  void keysAreFetchedOnceAndReused() {
    assertThat(validate(RSA1_TOKEN)).isInstanceOf(TokenResult.Valid.class);
    assertThat(validate(RSA1_TOKEN)).isInstanceOf(TokenResult.Valid.class);

    assertThat(fetcher.calls(JWKS)).isEqualTo(1);
  }

  @Test
  void anUnknownKidTriggersARefetchThatFindsTheNewKey() {
    validate(RSA1_TOKEN);
    clock.advance(Duration.ofSeconds(30));
    fetcher.json(JWKS, TestTokens.jwks(RSA1, RSA2));

    assertThat(validate(RSA2_TOKEN)).isInstanceOf(TokenResult.Valid.class);
    assertThat(fetcher.calls(JWKS)).isEqualTo(2);
  }

  @Test
  void refetchesForUnknownKidsAreRateLimited() {
    validate(RSA1_TOKEN);
    clock.advance(Duration.ofSeconds(30));
    String stranger = TestTokens.rsa(JWSAlgorithm.RS256,
        new RSAKey.Builder(RSA2).keyID("nobody").build(), claims().build());

    assertThat(((TokenResult.Invalid) validate(stranger)).logReason()).isEqualTo("no RS256 key with kid nobody");
    validate(stranger);
    clock.advance(Duration.ofSeconds(29));
    validate(stranger);
    assertThat(fetcher.calls(JWKS)).isEqualTo(2);

    clock.advance(Duration.ofSeconds(1));
    validate(stranger);
    assertThat(fetcher.calls(JWKS)).isEqualTo(3);
  }

  @Test
  void aRotatedOutKeyStopsWorkingOnceTheNewSetIsFetched() {
    validate(RSA1_TOKEN);
    clock.advance(Duration.ofSeconds(30));
    fetcher.json(JWKS, TestTokens.jwks(RSA2));

    assertThat(validate(RSA2_TOKEN)).isInstanceOf(TokenResult.Valid.class);
    assertThat(((TokenResult.Invalid) validate(RSA1_TOKEN)).logReason()).isEqualTo("no RS256 key with kid rsa1");
  }

  @Test
  void anUnreachableProviderBeforeAnyKeysIsATemporaryFailureRetriedSoon() {
    fetcher.down(JWKS);

    TokenResult r = validate(RSA1_TOKEN);
    assertThat(r).isInstanceOf(TokenResult.Unavailable.class);
    assertThat(((TokenResult.Unavailable) r).reason()).contains("https://idp.example/jwks").contains("refused");
    validate(RSA1_TOKEN);
    assertThat(fetcher.calls(JWKS)).isEqualTo(1);

    fetcher.json(JWKS, TestTokens.jwks(RSA1));
    clock.advance(KeySetCache.EMPTY_RETRY);
    assertThat(validate(RSA1_TOKEN)).isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void cachedKeysKeepWorkingWhileTheProviderIsDown() {
    validate(LONG_TOKEN);
    fetcher.down(JWKS);
    clock.advance(KeySetCache.MAX_AGE.plusSeconds(1));

    assertThat(validate(LONG_TOKEN)).isInstanceOf(TokenResult.Valid.class);
    assertThat(fetcher.calls(JWKS)).isEqualTo(2);
  }

  @Test
  void anUnknownKidWhileTheProviderIsDownIsATemporaryFailureUntilTheNewKeysCanBeFetched() {
    validate(LONG_TOKEN);
    fetcher.down(JWKS);
    clock.advance(Duration.ofSeconds(30));

    TokenResult r = validate(RSA2_TOKEN);
    assertThat(r).isInstanceOf(TokenResult.Unavailable.class);
    assertThat(((TokenResult.Unavailable) r).reason())
        .startsWith("no RS256 key with kid rsa2 among the keys held, and fetching them again failed: ")
        .contains("refused");
    assertThat(validate(RSA2_TOKEN)).as("rate limited, the failure stands").isInstanceOf(TokenResult.Unavailable.class);

    fetcher.json(JWKS, TestTokens.jwks(RSA1, RSA2));
    clock.advance(Duration.ofSeconds(30));
    assertThat(validate(RSA2_TOKEN)).isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void anUnknownKidRightAfterASuccessfulFetchIsAnInvalidToken() {
    validate(RSA1_TOKEN);
    clock.advance(Duration.ofSeconds(30));
    validate(RSA2_TOKEN);

    assertThat(validate(RSA2_TOKEN)).as("rate limited, but the keys held are fresh").isInstanceOf(
        TokenResult.Invalid.class);
  }

  @Test
  void oldKeysAreRefreshedInTheBackground() {
    validate(LONG_TOKEN);
    fetcher.json(JWKS, TestTokens.jwks(RSA2));
    clock.advance(KeySetCache.MAX_AGE);

    assertThat(validate(LONG_TOKEN)).isInstanceOf(TokenResult.Valid.class);
    assertThat(fetcher.calls(JWKS)).isEqualTo(2);
    assertThat(validate(LONG_TOKEN)).isInstanceOf(TokenResult.Invalid.class);
  }

  @Test
  void concurrentFirstValidationsShareOneFetch() {
    CompletableFuture<HttpFetcher.HttpResponse> slow = new CompletableFuture<>();
    fetcher.pending(JWKS, slow);

    CompletableFuture<TokenResult> a = validator.validate(RSA1_TOKEN, Optional.empty());
    CompletableFuture<TokenResult> b = validator.validate(RSA1_TOKEN, Optional.empty());
    assertThat(a).isNotDone();
    slow.complete(new HttpFetcher.HttpResponse(200, TestTokens.jwks(RSA1).getBytes(StandardCharsets.UTF_8)));

    assertThat(a.join()).isInstanceOf(TokenResult.Valid.class);
    assertThat(b.join()).isInstanceOf(TokenResult.Valid.class);
    assertThat(fetcher.calls(JWKS)).isEqualTo(1);
  }

  @Test
  void anHttpErrorOrGarbageFromTheJwksUrlIsATemporaryFailure() {
    fetcher.status(JWKS, 503);
    assertThat(validate(RSA1_TOKEN)).isEqualTo(new TokenResult.Unavailable(
        "oauth: keys from https://idp.example/jwks unavailable: https://idp.example/jwks answered HTTP 503"));

    fetcher.json(JWKS, "<html>");
    clock.advance(Duration.ofMinutes(1));
    assertThat(validate(RSA1_TOKEN)).isInstanceOf(TokenResult.Unavailable.class);
  }

  @Test
  void discoveryGivesTheJwksUriAndTheIssuer() {
    FakeFetcher idp = new FakeFetcher()
        .json(DISCOVERY, "{\"issuer\":\"https://idp.example\",\"jwks_uri\":\"https://keys.idp.example/k\"}")
        .json(URI.create("https://keys.idp.example/k"), TestTokens.jwks(RSA1, EC1));
    TokenValidator v = new TokenValidator(OAuthSettings.builder().discoveryUri(DISCOVERY).build(), idp, clock);

    assertThat(v.validate(RSA1_TOKEN, Optional.empty()).join()).isInstanceOf(TokenResult.Valid.class);
    TokenResult other = v.validate(rs256(claims().issuer("https://other.example").build()), Optional.empty()).join();
    assertThat(((TokenResult.Invalid) other).logReason()).contains("is not https://idp.example");
  }

  @Test
  void aDiscoveryDocumentWithoutJwksUriIsATemporaryFailure() {
    FakeFetcher idp = new FakeFetcher().json(DISCOVERY, "{\"issuer\":\"https://idp.example\"}");
    TokenValidator v = new TokenValidator(OAuthSettings.builder().discoveryUri(DISCOVERY).build(), idp, clock);

    assertThat(v.validate(RSA1_TOKEN, Optional.empty()).join()).isInstanceOf(TokenResult.Unavailable.class);
  }

  @Test
  void keysMayComeFromALocalFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, TestTokens.jwks(RSA1));
    TokenValidator v = new TokenValidator(OAuthSettings.builder().jwksFile(file).build(), fetcher, clock);

    assertThat(v.validate(RSA1_TOKEN, Optional.empty()).join()).isInstanceOf(TokenResult.Valid.class);
    assertThat(fetcher.calls(JWKS)).isZero();
  }

  @Test
  void aMissingFileIsATemporaryFailure(@TempDir Path dir) {
    TokenValidator v = new TokenValidator(OAuthSettings.builder().jwksFile(dir.resolve("absent.json")).build(),
        fetcher, clock);

    assertThat(v.validate(RSA1_TOKEN, Optional.empty()).join()).isInstanceOf(TokenResult.Unavailable.class);
  }
}
