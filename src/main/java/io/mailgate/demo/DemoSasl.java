package io.mailgate.demo;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/** Decodes the SASL client responses the demo store accepts: PLAIN (RFC 4616), OAUTHBEARER (RFC 7628), XOAUTH2. */
final class DemoSasl {

  private DemoSasl() {}

  /**
   * A decoded response.
   *
   * @param user the authentication identity (PLAIN's authcid, OAUTHBEARER's {@code a=}, XOAUTH2's {@code user=})
   * @param secret the password or bearer token
   */
  record Credentials(String user, String secret) {
    @Override
    public String toString() {
      return "Credentials[user=" + user + "]";
    }
  }

  /** PLAIN: {@code [authzid] NUL authcid NUL passwd}; an authzid other than the authcid is refused. */
  static Optional<Credentials> plain(byte[] response) {
    String text = new String(response, StandardCharsets.UTF_8);
    String[] parts = text.split("\0", -1);
    if (parts.length != 3 || parts[1].isEmpty() || (!parts[0].isEmpty() && !parts[0].equals(parts[1]))) {
      return Optional.empty();
    }
    return Optional.of(new Credentials(parts[1], parts[2]));
  }

  /**
   * OAUTHBEARER ({@code n,a=user,^Aauth=Bearer TOKEN^A^A}, RFC 7628 §3.1) or XOAUTH2
   * ({@code user=USER^Aauth=Bearer TOKEN^A^A}); the user may be empty for OAUTHBEARER.
   */
  static Optional<Credentials> bearer(String mechanism, byte[] response) {
    String text = new String(response, StandardCharsets.UTF_8);
    if (!text.endsWith("\u0001\u0001")) {
      return Optional.empty();
    }
    String[] fields = text.substring(0, text.length() - 2).split("\u0001", -1);
    Optional<String> user = mechanism.equals("OAUTHBEARER")
        ? gs2User(fields[0])
        : Optional.of(fields[0]).filter(f -> f.startsWith("user=")).map(f -> f.substring(5));
    if (user.isEmpty()) {
      return Optional.empty();
    }
    for (int i = 1; i < fields.length; i++) {
      String field = fields[i];
      // RFC 6750 §2.1: the scheme name is case-insensitive.
      if (field.length() > 12 && field.substring(0, 12).toLowerCase(Locale.ROOT).equals("auth=bearer ")) {
        return Optional.of(new Credentials(user.get(), field.substring(12).strip()));
      }
    }
    return Optional.empty();
  }

  /** The user of a GS2 header {@code n,a=USER,} (RFC 5801 §4: {@code =2C} is a comma, {@code =3D} an equals sign). */
  private static Optional<String> gs2User(String header) {
    String[] parts = header.split(",", -1);
    if (parts.length != 3 || !(parts[0].equals("n") || parts[0].equals("y")) || !parts[2].isEmpty()) {
      return Optional.empty();
    }
    if (parts[1].isEmpty()) {
      return Optional.of("");
    }
    if (!parts[1].startsWith("a=")) {
      return Optional.empty();
    }
    return Optional.of(parts[1].substring(2).replace("=2C", ",").replace("=3D", "="));
  }
}
