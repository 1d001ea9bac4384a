package io.mailgate.authn.oauth;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** One way of checking a bearer token: local JWT validation or introspection. */
interface TokenChecker {

  /** Checks {@code token}; {@code saslUser} is present only when non-empty. */
  CompletableFuture<TokenResult> check(String token, Optional<String> saslUser);
}
