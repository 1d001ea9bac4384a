package io.mailgate.authn.users;

import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Argon2id (RFC 9106) in PHC string form, by Bouncy Castle. */
final class Argon2idScheme implements HashScheme {

  // RFC 9106 section 4, second recommended option is t=3 with 64 MiB; one lane because the verifier pool, not the
  // hash, provides the parallelism.
  private static final int DEFAULT_MEMORY_KIB = 65536;
  private static final int DEFAULT_ITERATIONS = 3;
  private static final int DEFAULT_PARALLELISM = 1;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  @Override
  public boolean claims(String hash) {
    return hash.startsWith(Argon2idPhc.PREFIX);
  }

  @Override
  public boolean isWellFormed(String hash) {
    return Argon2idPhc.parse(hash).isPresent();
  }

  @Override
  public boolean verify(String hash, byte[] password) {
    Argon2idPhc phc = Argon2idPhc.parse(hash).orElseThrow(() -> new IllegalArgumentException("malformed argon2id"));
    byte[] expected = phc.hash();
    byte[] actual = derive(password, phc.salt(), phc.version(), phc.memoryKib(), phc.iterations(), phc.parallelism(),
        expected.length);
    return MessageDigest.isEqual(actual, expected);
  }

  /** A hash of {@code password} with a random salt and this class's default parameters. */
  static String hash(byte[] password) {
    byte[] salt = new byte[SALT_BYTES];
    new SecureRandom().nextBytes(salt);
    int version = Argon2Parameters.ARGON2_VERSION_13;
    byte[] tag = derive(password, salt, version, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM,
        HASH_BYTES);
    return new Argon2idPhc(version, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, salt, tag).format();
  }

  private static byte[] derive(byte[] password, byte[] salt, int version, int memoryKib, int iterations,
      int parallelism, int length) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(version)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .build());
    byte[] out = new byte[length];
    generator.generateBytes(password, out);
    return out;
  }
}
