package io.mailgate.authn.oauth;

import static io.mailgate.authn.oauth.TestTokens.INTROSPECT;
import static io.mailgate.authn.oauth.TestTokens.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 7662 introspection through the validator, with a fake endpoint and a hand-moved clock. */
class IntrospectionCheckerTest {

  private final MutableClock clock = new MutableClock(NOW);
  private final FakeFetcher fetcher = new FakeFetcher();

  private OAuthSettings.Builder settings() {
    return OAuthSettings.builder().introspection(INTROSPECT, "mailgate", "s3cret");
  }

  private TokenValidator validator(OAuthSettings s) {
    return new TokenValidator(s, fetcher, clock);
  }

  private static String active(long expSeconds, String extra) {
    return "{\"active\":true,\"exp\":" + (NOW.getEpochSecond() + expSeconds) + ",\"scope\":\"mail openid\"" + extra
        + "}";
  }

  @Test
  void anActiveTokenIsValidAndTheEndpointGetsTheTokenAndTheClientCredentials() {
    fetcher.json(INTROSPECT, active(600, ",\"email\":\"alice@example.com\""));

    TokenResult r = validator(settings().build()).validate("opaque-1", Optional.empty()).join();

    assertThat(r).isEqualTo(new TokenResult.Valid(new TokenIdentity("alice@example.com", NOW.plusSeconds(600),
        Set.of("mail", "openid"))));
    assertThat(fetcher.posts).containsExactly(new FakeFetcher.Post(INTROSPECT,
        Map.of("token", "opaque-1", "token_type_hint", "access_token"), "mailgate", "s3cret"));
  }

  @Test
  void theUserFallsBackToUsername() {
    fetcher.json(INTROSPECT, "{\"active\":true,\"username\":\"bob\"}");

    TokenResult r = validator(settings().build()).validate("t", Optional.of("bob")).join();

    assertThat(r).isEqualTo(new TokenResult.Valid(new TokenIdentity("bob", Instant.MAX, Set.of())));
  }

  @Test
  void anInactiveTokenIsInvalidAndThatIsRememberedOnlyBriefly() {
    fetcher.json(INTROSPECT, "{\"active\":false}");
    TokenValidator v = validator(settings().build());

    assertThat(((TokenResult.Invalid) v.validate("t", Optional.empty()).join()).logReason())
        .isEqualTo("token not active");
    clock.advance(Duration.ofSeconds(4));
    v.validate("t", Optional.empty()).join();
    assertThat(fetcher.posts).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    v.validate("t", Optional.empty()).join();
    assertThat(fetcher.posts).hasSize(2);
  }

  @Test
  void aValidAnswerIsRememberedUntilTheTokenExpires() {
    fetcher.json(INTROSPECT, active(30, ",\"email\":\"a@b\""));
    TokenValidator v = validator(settings().build());

    v.validate("t", Optional.empty()).join();
    clock.advance(Duration.ofSeconds(29));
    assertThat(v.validate("t", Optional.empty()).join()).isInstanceOf(TokenResult.Valid.class);
    assertThat(fetcher.posts).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    v.validate("t", Optional.empty()).join();
    assertThat(fetcher.posts).hasSize(2);
  }

  @Test
  void aValidAnswerIsRememberedAtMostAMinute() {
    fetcher.json(INTROSPECT, active(3600, ",\"email\":\"a@b\""));
    TokenValidator v = validator(settings().build());

    v.validate("t", Optional.empty()).join();
    clock.advance(IntrospectionChecker.VALID_TTL.minusSeconds(1));
    v.validate("t", Optional.empty()).join();
    assertThat(fetcher.posts).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    v.validate("t", Optional.empty()).join();
    assertThat(fetcher.posts).hasSize(2);
  }

  @Test
  void theCacheIsBounded() {
    fetcher.json(INTROSPECT, active(3600, ",\"email\":\"a@b\""));
    TokenValidator v = validator(settings().cacheMaxEntries(2).build());

    for (String t : new String[] {"t1", "t2", "t3", "t2", "t3", "t1"}) {
      v.validate(t, Optional.empty()).join();
    }

    assertThat(fetcher.posts).extracting(p -> p.form().get("token")).containsExactly("t1", "t2", "t3", "t1");
  }

  @Test
  void aCachedAnswerIsStillCheckedAgainstTheSaslUser() {
    fetcher.json(INTROSPECT, active(3600, ",\"email\":\"alice@example.com\""));
    TokenValidator v = validator(settings().build());

    assertThat(v.validate("t", Optional.of("alice@example.com")).join()).isInstanceOf(TokenResult.Valid.class);
    assertThat(v.validate("t", Optional.of("mallory@example.com")).join()).isInstanceOf(TokenResult.Invalid.class);
    assertThat(fetcher.posts).hasSize(1);
  }

  @Test
  void anUnreachableEndpointIsATemporaryFailureAndNotRemembered() {
    fetcher.down(INTROSPECT);
    TokenValidator v = validator(settings().build());

    assertThat(v.validate("t", Optional.empty()).join()).isEqualTo(new TokenResult.Unavailable(
        "introspection at https://idp.example/introspect failed: connection refused"));
    v.validate("t", Optional.empty()).join();
    assertThat(fetcher.posts).hasSize(2);
  }

  @Test
  void rejectedClientCredentialsAndGarbageAreTemporaryFailures() {
    fetcher.status(INTROSPECT, 401);
    TokenValidator v = validator(settings().build());
    assertThat(v.validate("t", Optional.empty()).join()).isEqualTo(new TokenResult.Unavailable(
        "introspection at https://idp.example/introspect answered HTTP 401"));

    fetcher.json(INTROSPECT, "[1,2]");
    assertThat(v.validate("t", Optional.empty()).join()).isInstanceOf(TokenResult.Unavailable.class);
    fetcher.json(INTROSPECT, "{\"active\":true,\"exp\":\"soon\",\"email\":\"a@b\"}");
    assertThat(v.validate("t", Optional.empty()).join()).isInstanceOf(TokenResult.Unavailable.class);
  }

  @Test
  void aStringActiveIsNotActive() {
    fetcher.json(INTROSPECT, "{\"active\":\"true\",\"email\":\"a@b\"}");

    assertThat(validator(settings().build()).validate("t", Optional.empty()).join())
        .isInstanceOf(TokenResult.Invalid.class);
  }

  @Test
  void audienceIssuerAndScopeAreCheckedWhenTheAnswerCarriesThem() {
    OAuthSettings s = settings().audiences("mail").issuer("https://idp.example").requiredScope("imap").build();
    TokenValidator v = validator(s);

    fetcher.json(INTROSPECT, active(600, ",\"email\":\"a@b\",\"aud\":\"calendar\""));
    assertThat(((TokenResult.Invalid) v.validate("t1", Optional.empty()).join()).logReason()).contains("audience");

    fetcher.json(INTROSPECT, active(600, ",\"email\":\"a@b\",\"iss\":\"https://evil.example\""));
    assertThat(((TokenResult.Invalid) v.validate("t2", Optional.empty()).join()).logReason()).contains("issuer");

    fetcher.json(INTROSPECT, active(600, ",\"email\":\"a@b\""));
    TokenResult.Invalid scope = (TokenResult.Invalid) v.validate("t3", Optional.empty()).join();
    assertThat(new String(Base64.getDecoder().decode(scope.errorJsonBase64()), StandardCharsets.UTF_8))
        .isEqualTo("{\"status\":\"insufficient_scope\",\"scope\":\"imap\"}");
  }

  @Test
  void anExpiredAnswerIsInvalid() {
    fetcher.json(INTROSPECT, active(-120, ",\"email\":\"a@b\""));

    assertThat(((TokenResult.Invalid) validator(settings().build()).validate("t", Optional.empty()).join())
        .logReason()).startsWith("expired");
  }
}
