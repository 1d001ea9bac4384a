package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.authn.users.PasswordHashFuzzAccess;
import io.mailgate.authn.users.PasswordHashes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stored password hashes (what a users file holds): any string is supported or not, never an exception; a supported
 * one costs a bounded verification (bcrypt cost, SHA-512-crypt rounds and Argon2id memory times passes within the
 * documented caps), and an Argon2id PHC string formats back to one that parses the same. Only cheap hashes are
 * actually verified, against a password no corpus can know.
 */
class PasswordHashFuzzTest {

  private static final byte[] PASSWORD = randomPassword();
  private static final Pattern BCRYPT_COST = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$.*", Pattern.DOTALL);
  private static final Pattern SHA512_ROUNDS = Pattern.compile("\\$6\\$rounds=(\\d+)\\$.*", Pattern.DOTALL);

  @FuzzTest(maxDuration = "30s")
  void storedHashCostIsBounded(byte[] input) {
    String hash = new String(input, StandardCharsets.UTF_8);
    boolean supported = PasswordHashes.isSupported(hash);
    Optional<String> argon2 = PasswordHashFuzzAccess.argon2idReformatted(hash);
    argon2.ifPresent(again -> assertThat(PasswordHashFuzzAccess.argon2idReformatted(again)).contains(again));
    if (!supported) {
      assertThat(PasswordHashes.verify(hash, PASSWORD)).isFalse();
      return;
    }
    Matcher bcrypt = BCRYPT_COST.matcher(hash);
    Matcher sha = SHA512_ROUNDS.matcher(hash);
    boolean cheap;
    if (bcrypt.matches()) {
      int cost = Integer.parseInt(bcrypt.group(1));
      assertThat(cost).isBetween(4, PasswordHashFuzzAccess.MAX_BCRYPT_COST);
      cheap = cost <= 5;
    } else if (hash.startsWith("$6$")) {
      long rounds = sha.matches() ? Long.parseLong(sha.group(1)) : 5000;
      assertThat(rounds).isBetween(1L, PasswordHashFuzzAccess.MAX_SHA512_ROUNDS);
      cheap = rounds <= 20_000;
    } else {
      assertThat(argon2).isPresent();
      long work = PasswordHashFuzzAccess.argon2idWork(hash).orElseThrow();
      assertThat(work).isBetween(8L, PasswordHashFuzzAccess.MAX_ARGON2_WORK_KIB);
      cheap = work <= 4096;
    }
    if (cheap) {
      assertThat(PasswordHashes.verify(hash, PASSWORD)).isFalse();
    }
  }

  private static byte[] randomPassword() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
