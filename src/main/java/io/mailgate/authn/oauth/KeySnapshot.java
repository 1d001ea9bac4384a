package io.mailgate.authn.oauth;

import com.nimbusds.jose.jwk.JWKSet;
import java.util.Optional;

/**
 * One fetched key set.
 *
 * @param keys the JSON Web Key Set
 * @param discoveredIssuer the {@code issuer} of the OpenID Connect discovery document the keys were found through
 */
record KeySnapshot(JWKSet keys, Optional<String> discoveredIssuer) {}
