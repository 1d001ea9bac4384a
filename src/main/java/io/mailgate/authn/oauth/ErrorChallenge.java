package io.mailgate.authn.oauth;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the RFC 7628 section 3.2.2 error challenge a server sends after a failed OAUTHBEARER/XOAUTH2 exchange:
 * base64 of a JSON object with {@code status} (an RFC 6750 section 3.1 error code), the {@code scope} needed and the
 * {@code openid-configuration} URL where the client can find how to get a better token.
 */
final class ErrorChallenge {

  private final String invalidToken;
  private final String insufficientScope;

  ErrorChallenge(Optional<String> requiredScope, Optional<URI> discoveryUri) {
    invalidToken = encode("invalid_token", requiredScope, discoveryUri);
    insufficientScope = encode("insufficient_scope", requiredScope, discoveryUri);
  }

  /** The token is bad: expired, forged, for someone else. */
  TokenResult.Invalid invalidToken(String logReason) {
    return new TokenResult.Invalid(logReason, invalidToken);
  }

  /** The token is good but lacks the required scope. */
  TokenResult.Invalid insufficientScope(String logReason) {
    return new TokenResult.Invalid(logReason, insufficientScope);
  }

  private static String encode(String status, Optional<String> scope, Optional<URI> discoveryUri) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", status);
    scope.ifPresent(s -> json.put("scope", s));
    discoveryUri.ifPresent(u -> json.put("openid-configuration", u.toString()));
    String text = JSONObjectUtils.toJSONString(json);
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
