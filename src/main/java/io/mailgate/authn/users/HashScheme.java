package io.mailgate.authn.users;

/** One password-hash scheme, recognised by its prefix. Implementations are stateless and thread-safe. */
interface HashScheme {

  /** True if {@code hash} carries this scheme's prefix (whether or not the rest is well formed). */
  boolean claims(String hash);

  /** True if {@code hash} is a complete, usable hash of this scheme. */
  boolean isWellFormed(String hash);

  /** Recomputes the hash of {@code password} and compares in constant time; {@code hash} is well formed. */
  boolean verify(String hash, byte[] password);
}
