package io.mailgate.authn.oauth;

import java.time.Instant;
import java.util.Set;

/**
 * What a valid token says.
 *
 * @param user the mail user (the configured claim, e.g. {@code email})
 * @param expiresAt when the token expires; {@link Instant#MAX} when an introspection answer gave no {@code exp}
 * @param scopes the token's scopes (possibly empty)
 */
public record TokenIdentity(String user, Instant expiresAt, Set<String> scopes) {

  /** Copies the scopes. */
  public TokenIdentity {
    scopes = Set.copyOf(scopes);
  }
}
