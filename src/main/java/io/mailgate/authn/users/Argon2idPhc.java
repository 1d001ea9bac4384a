package io.mailgate.authn.users;

import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Argon2id hash in PHC string form, {@code $argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>}, with salt and hash in
 * unpadded standard Base64 (the reference implementation's encoding; RFC 9106 defines the function, not the string).
 *
 * @param version 19 (0x13, RFC 9106) or 16 (0x10, the older version; also what a missing {@code v=} means)
 * @param memoryKib m, in KiB
 * @param iterations t
 * @param parallelism p (lanes)
 */
record Argon2idPhc(int version, int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {

  static final String PREFIX = "$argon2id$";

  private static final Pattern FORM = Pattern.compile(
      "\\$argon2id\\$(?:v=(\\d{1,3})\\$)?m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,3})"
          + "\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
  // Bounds keep a typo in the users file from exhausting the verifier pool's memory or time; the lower ones are the
  // reference implementation's (8 KiB per lane, 8-byte salt, 4-byte tag).
  private static final long MAX_MEMORY_KIB = 1L << 20;
  private static final long MAX_ITERATIONS = 1024;
  // Memory and passes each within bounds still multiply: m=1 GiB with t=1024 is a terabyte of memory traffic, hours
  // per verification. The work (KiB times passes) is capped at 1 GiB of passes, a few seconds in Bouncy Castle:
  // RFC 9106's options (2 GiB x 1 aside, which MAX_MEMORY_KIB already refuses; 64 MiB x 3) and OWASP's fit.
  static final long MAX_WORK_KIB = 1L << 20;
  private static final int MAX_PARALLELISM = 255;
  private static final int MIN_SALT = 8;
  private static final int MAX_SALT = 64;
  private static final int MIN_HASH = 4;
  private static final int MAX_HASH = 1024;

  Argon2idPhc {
    salt = salt.clone();
    hash = hash.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  /** The parsed string, or empty if it is malformed or out of the accepted bounds. */
  static Optional<Argon2idPhc> parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long version = m.group(1) == null ? 16 : Long.parseLong(m.group(1));
    long memory = Long.parseLong(m.group(2));
    long iterations = Long.parseLong(m.group(3));
    long parallelism = Long.parseLong(m.group(4));
    if ((version != 16 && version != 19)
        || parallelism < 1 || parallelism > MAX_PARALLELISM
        || memory < 8 * parallelism || memory > MAX_MEMORY_KIB
        || iterations < 1 || iterations > MAX_ITERATIONS
        || memory * iterations > MAX_WORK_KIB) {
      return Optional.empty();
    }
    byte[] salt;
    byte[] hash;
    try {
      salt = Base64.getDecoder().decode(m.group(5));
      hash = Base64.getDecoder().decode(m.group(6));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (salt.length < MIN_SALT || salt.length > MAX_SALT || hash.length < MIN_HASH || hash.length > MAX_HASH) {
      return Optional.empty();
    }
    return Optional.of(new Argon2idPhc((int) version, (int) memory, (int) iterations, (int) parallelism, salt, hash));
  }

  /** The PHC string. */
  String format() {
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX + "v=" + version + "$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
        + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Argon2idPhc p
        && p.version == version && p.memoryKib == memoryKib && p.iterations == iterations
        && p.parallelism == parallelism && Arrays.equals(p.salt, salt) && Arrays.equals(p.hash, hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(salt);
  }

  /** Parameters only: the tag is as secret as any password hash. */
  @Override
  public String toString() {
    return "Argon2idPhc[v=" + version + ", m=" + memoryKib + ", t=" + iterations + ", p=" + parallelism + "]";
  }
}
