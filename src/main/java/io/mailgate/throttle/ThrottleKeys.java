package io.mailgate.throttle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The names of the failure counters. A user name is the client's untrusted text, of any length and any bytes: it is
 * never a key itself but the first 128 bits of its SHA-256, so a key is short, printable, and says nothing about
 * whom it counts to someone reading the store. Names are lower-cased first: most backends fold case, and an attacker
 * must not get a fresh counter per spelling.
 */
public final class ThrottleKeys {

  private ThrottleKeys() {}

  /** The counter of failures from one client address ({@code ip:192.0.2.7}). */
  public static String address(String clientIp) {
    return "ip:" + clientIp;
  }

  /** The counter of failures for one user name ({@code user:<32 hex digits>}). */
  public static String user(String userName) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(userName.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      return "user:" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
