package io.mailgate.authn.oauth;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Asks an RFC 7662 introspection endpoint about opaque tokens, and remembers the answers for a while: good ones until
 * the token expires but at most {@link #VALID_TTL} (a revoked token must stop working soon), bad ones only
 * {@link #INVALID_TTL} (so a client retrying a bad token does not hammer the endpoint). Unanswered questions are not
 * remembered. The cache is keyed by the token's SHA-256, so it holds no tokens.
 */
final class IntrospectionChecker implements TokenChecker {

  static final Duration VALID_TTL = Duration.ofSeconds(60);
  static final Duration INVALID_TTL = Duration.ofSeconds(5);

  private final OAuthSettings.Introspection endpoint;
  private final Duration timeout;
  private final Optional<String> issuer;
  private final HttpFetcher fetcher;
  private final Clock clock;
  private final ClaimsChecker claims;
  private final ErrorChallenge errors;
  private final ExpiringCache<TokenResult> cache;

  IntrospectionChecker(OAuthSettings settings, HttpFetcher fetcher, Clock clock, ClaimsChecker claims,
      ErrorChallenge errors) {
    this.endpoint = settings.introspection().orElseThrow();
    this.timeout = settings.fetchTimeout();
    this.issuer = settings.issuer();
    this.fetcher = fetcher;
    this.clock = clock;
    this.claims = claims;
    this.errors = errors;
    this.cache = new ExpiringCache<>(settings.cacheMaxEntries());
  }

  @Override
  public CompletableFuture<TokenResult> check(String token, Optional<String> saslUser) {
    String key = sha256(token);
    TokenResult cached = cache.get(key, clock.instant());
    if (cached != null) {
      return CompletableFuture.completedFuture(claims.requireUser(cached, saslUser));
    }
    // RFC 7662 section 2.1: the token and a hint, form-encoded, with the resource server's credentials.
    Map<String, String> form = new LinkedHashMap<>();
    form.put("token", token);
    form.put("token_type_hint", "access_token");
    return fetcher.postForm(endpoint.endpoint(), form, endpoint.clientId(), endpoint.clientSecret(), timeout)
        .handle((response, error) -> {
          if (error != null) {
            return new TokenResult.Unavailable("introspection at " + endpoint.endpoint() + " failed: "
                + KeySetCache.describe(error));
          }
          TokenResult result = interpret(response);
          remember(key, result);
          return claims.requireUser(result, saslUser);
        });
  }

  private TokenResult interpret(HttpFetcher.HttpResponse response) {
    if (response.status() != 200) {
      return new TokenResult.Unavailable("introspection at " + endpoint.endpoint() + " answered HTTP "
          + response.status());
    }
    Map<String, Object> json;
    JWTClaimsSet answer;
    try {
      json = JSONObjectUtils.parse(new String(response.body(), StandardCharsets.UTF_8));
      answer = JWTClaimsSet.parse(json);
    } catch (ParseException e) {
      return new TokenResult.Unavailable("introspection at " + endpoint.endpoint() + " answered invalid JSON");
    }
    // Section 2.2: "active" is a JSON boolean; anything but true means the token must not be honoured.
    if (!Boolean.TRUE.equals(json.get("active"))) {
      return errors.invalidToken("token not active");
    }
    return claims.check(answer, issuer, true);
  }

  private void remember(String key, TokenResult result) {
    Instant now = clock.instant();
    if (result instanceof TokenResult.Valid v) {
      Instant limit = now.plus(VALID_TTL);
      cache.put(key, result, v.identity().expiresAt().isBefore(limit) ? v.identity().expiresAt() : limit);
    } else if (result instanceof TokenResult.Invalid) {
      cache.put(key, result, now.plus(INVALID_TTL));
    }
  }

  private static String sha256(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
