package io.mailgate.authn.users;

/** Checks a password against a stored hash; {@link PasswordHashes#verify} in production, a recorder in tests. */
@FunctionalInterface
interface PasswordVerifier {

  /** True if {@code password} matches {@code hash}. */
  boolean verify(String hash, byte[] password);
}
