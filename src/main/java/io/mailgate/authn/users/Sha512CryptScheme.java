package io.mailgate.authn.users;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.Sha2Crypt;

/** SHA-512-crypt ({@code $6$[rounds=N$]salt$hash}, Drepper's "Unix crypt using SHA-256 and SHA-512"), commons-codec. */
final class Sha512CryptScheme implements HashScheme {

  private static final Pattern FORM =
      Pattern.compile("\\$6\\$(rounds=[1-9][0-9]{0,8}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{86}");

  // The scheme allows 999,999,999 rounds; at about a million a second (one core) that is a quarter of an hour per
  // verification. 5,000,000 (a few seconds; 1000 times the default, several times passlib's 656,000) bounds what a
  // stored hash can cost a verifier thread; more is refused as malformed.
  static final long MAX_ROUNDS = 5_000_000;
  private static final Pattern ROUNDS = Pattern.compile("\\$6\\$rounds=([0-9]+)\\$.*");

  private static final String SALT_PREFIX = "$6$";
  private static final String ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final int SALT_CHARS = 16;

  @Override
  public boolean claims(String hash) {
    return hash.startsWith("$6$");
  }

  @Override
  public boolean isWellFormed(String hash) {
    if (!FORM.matcher(hash).matches()) {
      return false;
    }
    Matcher rounds = ROUNDS.matcher(hash);
    return !rounds.matches() || Long.parseLong(rounds.group(1)) <= MAX_ROUNDS;
  }

  @Override
  public boolean verify(String hash, byte[] password) {
    // commons-codec takes the salt and rounds from the stored hash and returns the full string it computes. It zeroes
    // the key it is given, so it gets a copy: the caller's password may still be needed (the backend login).
    String computed = Sha2Crypt.sha512Crypt(password.clone(), hash);
    return MessageDigest.isEqual(
        computed.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII));
  }

  /** A hash of {@code password} with a random 16-character salt (the most the scheme uses) and 5000 rounds. */
  static String hash(byte[] password) {
    // commons-codec's own random salt has only 8 characters.
    SecureRandom random = new SecureRandom();
    StringBuilder salt = new StringBuilder(SALT_PREFIX);
    for (int i = 0; i < SALT_CHARS; i++) {
      salt.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return Sha2Crypt.sha512Crypt(password.clone(), salt.toString());
  }
}
