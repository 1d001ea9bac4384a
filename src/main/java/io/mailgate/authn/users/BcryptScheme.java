package io.mailgate.authn.users;

import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}), by Bouncy Castle. Only the first 72 bytes of a password count, as
 * in OpenBSD and libxcrypt.
 */
final class BcryptScheme implements HashScheme {

  private static final Pattern FORM = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
  private static final int MIN_COST = 4;
  // bcrypt allows cost 31, but each step doubles the work: cost 10 takes about 0.1-0.2 s in Bouncy Castle, 15 about
  // 4-6 s, 31 days. A stored hash (a typo, a tampered users file, a fuzzed one) must not pin a verifier thread for
  // longer than a client's login timeout, so verification refuses costs above 15 as malformed.
  static final int MAX_COST = 15;
  private static final int SALT_BYTES = 16;

  @Override
  public boolean claims(String hash) {
    return hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$");
  }

  @Override
  public boolean isWellFormed(String hash) {
    Matcher m = FORM.matcher(hash);
    if (!m.matches()) {
      return false;
    }
    int cost = Integer.parseInt(m.group(1));
    return cost >= MIN_COST && cost <= MAX_COST;
  }

  @Override
  public boolean verify(String hash, byte[] password) {
    // Bouncy Castle compares the whole recomputed string without stopping at the first difference.
    return OpenBSDBCrypt.checkPassword(hash, password);
  }

  /** A {@code $2b$} hash of {@code password} with a random salt. */
  static String hash(byte[] password, int cost) {
    if (cost < MIN_COST || cost > MAX_COST) {
      throw new IllegalArgumentException("bcrypt cost must be " + MIN_COST + "-" + MAX_COST + ", got " + cost);
    }
    byte[] salt = new byte[SALT_BYTES];
    new SecureRandom().nextBytes(salt);
    return OpenBSDBCrypt.generate("2b", password, salt, cost);
  }
}
