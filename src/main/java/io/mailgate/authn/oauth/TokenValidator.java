package io.mailgate.authn.oauth;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Checks OAuth 2.0 bearer tokens: locally as JWTs, or at an RFC 7662 introspection endpoint, as the settings say.
 * Never blocks the caller (fetches run on the {@link HttpFetcher}'s threads); the future completes on any thread and
 * never exceptionally. Thread-safe; one instance per configuration, so that its caches are shared.
 */
public final class TokenValidator {

  private final TokenChecker checker;
  private final ErrorChallenge errors;

  /** A validator for {@code settings}, fetching with {@code fetcher} and telling time with {@code clock}. */
  public TokenValidator(OAuthSettings settings, HttpFetcher fetcher, Clock clock) {
    errors = new ErrorChallenge(settings.requiredScope(), settings.discoveryUri());
    ClaimsChecker claims = new ClaimsChecker(settings, clock, errors);
    if (settings.usesIntrospection()) {
      checker = new IntrospectionChecker(settings, fetcher, clock, claims, errors);
    } else {
      KeySetCache keys = new KeySetCache(KeySource.forSettings(settings, fetcher),
          settings.keyRefreshMinInterval(), clock);
      checker = new JwtChecker(settings, keys, claims, errors);
    }
  }

  /**
   * Checks {@code token}.
   *
   * @param saslUser the user the client named in the SASL exchange; when present and non-empty it must equal the
   *     token's user exactly
   */
  public CompletableFuture<TokenResult> validate(String token, Optional<String> saslUser) {
    if (token.isEmpty()) {
      return CompletableFuture.completedFuture(errors.invalidToken("empty token"));
    }
    try {
      return checker.check(token, saslUser.filter(u -> !u.isEmpty()))
          .exceptionally(e -> new TokenResult.Unavailable("oauth: " + KeySetCache.describe(e)));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new TokenResult.Unavailable("oauth: " + KeySetCache.describe(e)));
    }
  }
}
