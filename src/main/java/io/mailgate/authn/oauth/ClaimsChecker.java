package io.mailgate.authn.oauth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the claims of a token whose origin is already established (signature verified, or answered by the
 * introspection endpoint): issuer, audience, validity period, user claim, scope; and then the SASL user.
 */
final class ClaimsChecker {

  private final OAuthSettings settings;
  private final Clock clock;
  private final ErrorChallenge errors;

  ClaimsChecker(OAuthSettings settings, Clock clock, ErrorChallenge errors) {
    this.settings = settings;
    this.clock = clock;
    this.errors = errors;
  }

  /**
   * The identity the claims give, or why not.
   *
   * @param issuer the required {@code iss}, if any
   * @param introspected true for an RFC 7662 answer, where {@code exp} is optional (section 2.2) and the user may be
   *     given as {@code username}
   */
  TokenResult check(JWTClaimsSet claims, Optional<String> issuer, boolean introspected) {
    Instant now = clock.instant();
    Duration skew = settings.clockSkew();
    // An introspection answer need not carry iss or aud (RFC 7662 section 2.2); a JWT must when they are required.
    if (issuer.isPresent() && (!introspected || claims.getIssuer() != null)
        && !issuer.get().equals(claims.getIssuer())) {
      return errors.invalidToken("issuer " + claims.getIssuer() + " is not " + issuer.get());
    }
    List<String> audiences = claims.getAudience();
    if (!settings.audiences().isEmpty() && (!introspected || !audiences.isEmpty())
        && Collections.disjoint(settings.audiences(), audiences)) {
      return errors.invalidToken("audience " + audiences + " not accepted");
    }
    Date exp = claims.getExpirationTime();
    if (exp == null && !introspected) {
      return errors.invalidToken("no exp claim");
    }
    Instant expiresAt = exp == null ? Instant.MAX : exp.toInstant();
    if (exp != null && !now.isBefore(expiresAt.plus(skew))) {
      return errors.invalidToken("expired at " + expiresAt);
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
      return errors.invalidToken("not valid before " + nbf.toInstant());
    }
    Optional<String> user = stringClaim(claims, settings.userClaim());
    if (user.isEmpty() && introspected) {
      user = stringClaim(claims, "username");
    }
    if (user.isEmpty()) {
      return errors.invalidToken("no " + settings.userClaim() + " claim");
    }
    Set<String> scopes = scopes(claims);
    if (settings.requiredScope().isPresent() && !scopes.contains(settings.requiredScope().get())) {
      return errors.insufficientScope("scope " + settings.requiredScope().get() + " missing");
    }
    return new TokenResult.Valid(new TokenIdentity(user.get(), expiresAt, scopes));
  }

  /**
   * {@code result}, unless the client named a SASL user (OAUTHBEARER {@code a=}, XOAUTH2 {@code user=}) other than
   * the token's. The comparison is exact: the mapped user is what the backend sees, so any folding would be a guess.
   */
  TokenResult requireUser(TokenResult result, Optional<String> saslUser) {
    if (result instanceof TokenResult.Valid v && saslUser.isPresent()
        && !saslUser.get().equals(v.identity().user())) {
      return errors.invalidToken("token user " + v.identity().user() + " is not SASL user " + saslUser.get());
    }
    return result;
  }

  private static Optional<String> stringClaim(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    return value instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
  }

  /** RFC 8693/RFC 9068 {@code scope} (space-separated) and the common {@code scp} (array or string). */
  private static Set<String> scopes(JWTClaimsSet claims) {
    Set<String> scopes = new HashSet<>();
    addScopes(scopes, claims.getClaim("scope"));
    addScopes(scopes, claims.getClaim("scp"));
    return scopes;
  }

  private static void addScopes(Set<String> scopes, Object value) {
    if (value instanceof String s) {
      for (String scope : s.split(" ")) {
        if (!scope.isEmpty()) {
          scopes.add(scope);
        }
      }
    } else if (value instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s) {
          scopes.add(s);
        }
      }
    }
  }
}
