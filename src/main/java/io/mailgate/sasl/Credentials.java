package io.mailgate.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a client proved (or claimed) in one authentication attempt, as the auth service receives it.
 * Logins and secrets are raw bytes: nginx passes them through unchanged (UTF-8 or not).
 *
 * @param mechanism how the client authenticated; {@link Mechanism#authHttpMethod()} is {@code Auth-Method}
 * @param login the user name ({@code Auth-User}); may be empty
 * @param secret password, bearer token, or the client's APOP/CRAM-MD5 digest ({@code Auth-Pass}); empty for EXTERNAL
 * @param salt the APOP/CRAM-MD5 challenge ({@code Auth-Salt}), present only for those two mechanisms
 */
public record Credentials(Mechanism mechanism, byte[] login, byte[] secret, Optional<String> salt) {

  public Credentials {
    login = login.clone();
    secret = secret.clone();
  }

  /** Credentials with no salt. */
  public static Credentials of(Mechanism mechanism, byte[] login, byte[] secret) {
    return new Credentials(mechanism, login, secret, Optional.empty());
  }

  @Override
  public byte[] login() {
    return login.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  /** The login as text for logs (bytes as ISO-8859-1 would garble UTF-8; logs want UTF-8). */
  public String loginText() {
    return new String(login, StandardCharsets.UTF_8);
  }

  /** Overwrites the secret in place, best effort, once it is no longer needed. */
  public void wipe() {
    Arrays.fill(secret, (byte) 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Credentials c
        && c.mechanism == mechanism
        && Arrays.equals(c.login, login)
        && Arrays.equals(c.secret, secret)
        && c.salt.equals(salt);
  }

  @Override
  public int hashCode() {
    return mechanism.hashCode() * 31 + Arrays.hashCode(login);
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "Credentials[mechanism=" + mechanism + ", login=" + loginText() + ", secret=******"
        + (salt.isPresent() ? ", salt=" + salt.get() : "") + "]";
  }
}
