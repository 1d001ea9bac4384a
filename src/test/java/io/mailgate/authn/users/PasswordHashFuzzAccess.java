package io.mailgate.authn.users;

import java.util.Optional;

/** The package-private Argon2id PHC parser, opened for the fuzz targets in {@code io.mailgate.fuzz}. Test code only. */
public final class PasswordHashFuzzAccess {

  /** {@link BcryptScheme#MAX_COST}. */
  public static final int MAX_BCRYPT_COST = BcryptScheme.MAX_COST;
  /** {@link Sha512CryptScheme#MAX_ROUNDS}. */
  public static final long MAX_SHA512_ROUNDS = Sha512CryptScheme.MAX_ROUNDS;
  /** {@link Argon2idPhc#MAX_WORK_KIB}. */
  public static final long MAX_ARGON2_WORK_KIB = Argon2idPhc.MAX_WORK_KIB;

  private PasswordHashFuzzAccess() {}

  /** Parses an Argon2id PHC string and formats it again; empty when it does not parse. */
  public static Optional<String> argon2idReformatted(String text) {
    return Argon2idPhc.parse(text).map(Argon2idPhc::format);
  }

  /** The work of a parsed Argon2id string, memory (KiB) times passes; empty when it does not parse. */
  public static Optional<Long> argon2idWork(String text) {
    return Argon2idPhc.parse(text).map(p -> (long) p.memoryKib() * p.iterations());
  }
}
