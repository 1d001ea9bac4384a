package io.mailgate.session;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session ids that tell sessions apart across instances and restarts, for the access log, error-log lines, the auth
 * service and the backend: 16 hex digits, a random 32-bit prefix drawn once per process, then a 32-bit counter. Two
 * instances behind one load balancer collide only if their prefixes do (one in four billion).
 */
public final class SessionIds {

  private static final long PREFIX = (long) new SecureRandom().nextInt() << 32;
  private static final AtomicLong COUNTER = new AtomicLong();

  private SessionIds() {}

  /** A fresh id. */
  public static String next() {
    long id = PREFIX | (COUNTER.incrementAndGet() & 0xffffffffL);
    String hex = Long.toHexString(id);
    return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
  }
}
