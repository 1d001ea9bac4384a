package io.mailgate.sasl;

import java.security.SecureRandom;
import java.time.Instant;

/** Builds the APOP (RFC 1939) / CRAM-MD5 (RFC 2195) challenge string, in nginx's format. */
public final class Salts {

  /**
   * The challenge must be unpredictable, or a recorded CRAM-MD5/APOP digest could be replayed; NativePRNG reads
   * /dev/urandom, which does not block.
   */
  private static final SecureRandom RANDOM = new SecureRandom();

  private Salts() {}

  /** {@code "<" + random unsigned long + "." + epochSeconds + "@" + serverName + ">"}, without CRLF. */
  public static String newSalt(String serverName) {
    return format(RANDOM.nextLong(), Instant.now().getEpochSecond(), serverName);
  }

  /** The salt for given parts; separate so the format can be tested deterministically. */
  static String format(long random, long epochSeconds, String serverName) {
    return "<" + Long.toUnsignedString(random) + "." + epochSeconds + "@" + serverName + ">";
  }
}
