package io.mailgate.authn.oauth;

/** The outcome of checking one bearer token. */
public sealed interface TokenResult {

  /** The token is good. */
  record Valid(TokenIdentity identity) implements TokenResult {}

  /**
   * The token is bad (expired, forged, wrong audience, ...).
   *
   * @param logReason why, for the log; never contains the token
   * @param errorJsonBase64 the RFC 7628 section 3.2.2 error challenge: base64 of {@code {"status":...}}
   */
  record Invalid(String logReason, String errorJsonBase64) implements TokenResult {}

  /**
   * The token could not be checked (identity provider unreachable, garbage answer): a temporary failure.
   *
   * @param reason for the error log
   */
  record Unavailable(String reason) implements TokenResult {}
}
