package io.mailgate.authn.users;

import java.util.List;
import java.util.Optional;

/**
 * Password-hash verification, one scheme per prefix: {@code $2a$}/{@code $2b$}/{@code $2y$} bcrypt, {@code $6$}
 * SHA-512-crypt, {@code $argon2id$} Argon2id (PHC string). Comparisons are constant-time. A hash of any other scheme,
 * or a malformed one, never verifies; {@link UsersFile} warns about those when it loads, not at each login. Hashing is
 * slow by design: call these off the event loops.
 */
public final class PasswordHashes {

  private static final List<HashScheme> SCHEMES =
      List.of(new BcryptScheme(), new Sha512CryptScheme(), new Argon2idScheme());

  private PasswordHashes() {}

  /** True if {@code password} (raw bytes, as the client sent them) matches {@code hash}. */
  public static boolean verify(String hash, byte[] password) {
    Optional<HashScheme> scheme = usableScheme(hash);
    if (scheme.isEmpty()) {
      return false;
    }
    try {
      return scheme.get().verify(hash, password);
    } catch (RuntimeException e) {
      // A hash that passed the format check but that the library still refuses (e.g. an impossible bcrypt salt
      // character) is a bad hash, not a server fault.
      return false;
    }
  }

  /** True if {@code hash} is a well-formed hash of a supported scheme. */
  public static boolean isSupported(String hash) {
    return usableScheme(hash).isPresent();
  }

  /** An Argon2id PHC string for {@code password} (v=19, m=65536, t=3, p=1, random 16-byte salt): tests, tools. */
  public static String argon2id(byte[] password) {
    return Argon2idScheme.hash(password);
  }

  /** A {@code $2b$} bcrypt hash of {@code password} with {@code cost} (4-15, see BcryptScheme.MAX_COST) and a random salt. */
  public static String bcrypt(byte[] password, int cost) {
    return BcryptScheme.hash(password, cost);
  }

  /** A {@code $6$} SHA-512-crypt hash of {@code password} with a random salt and the default 5000 rounds. */
  public static String sha512Crypt(byte[] password) {
    return Sha512CryptScheme.hash(password);
  }

  private static Optional<HashScheme> usableScheme(String hash) {
    for (HashScheme scheme : SCHEMES) {
      if (scheme.claims(hash)) {
        return scheme.isWellFormed(hash) ? Optional.of(scheme) : Optional.empty();
      }
    }
    return Optional.empty();
  }
}
