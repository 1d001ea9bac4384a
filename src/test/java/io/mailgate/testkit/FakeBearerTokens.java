package io.mailgate.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** What the fake backends check in an XOAUTH2/OAUTHBEARER initial response, and the error challenge they send. */
public final class FakeBearerTokens {

  /** RFC 7628 §3.2.2 error challenge, base64 of {@code {"status":"invalid_token"}}. */
  public static final String ERROR_CHALLENGE = Base64.getEncoder()
      .encodeToString("{\"status\":\"invalid_token\"}".getBytes(StandardCharsets.US_ASCII));

  private FakeBearerTokens() {}

  /** Whether the base64 {@code response} carries {@code auth=Bearer <token>^A}. */
  public static boolean carries(String response, String token) {
    try {
      String decoded = new String(Base64.getDecoder().decode(response.trim()), StandardCharsets.UTF_8);
      return decoded.contains("\u0001auth=Bearer " + token + "\u0001");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The base64 initial response decoded, for assertions. */
  public static String decode(String response) {
    return new String(Base64.getDecoder().decode(response.trim()), StandardCharsets.UTF_8);
  }
}
