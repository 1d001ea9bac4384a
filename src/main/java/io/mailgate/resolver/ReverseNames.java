package io.mailgate.resolver;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;

/** DNS names for the reverse lookup (RFC 1035 §3.5, RFC 3596 §2.5) and the checks a host name must pass. */
final class ReverseNames {

  /** RFC 1035 §2.3.4: 255 octets on the wire, so at most 253 characters of text without the root dot. */
  private static final int MAX_NAME = 253;
  private static final int MAX_LABEL = 63;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ReverseNames() {}

  /** {@code 4.3.2.1.in-addr.arpa.} for 1.2.3.4; the 32 reversed nibbles under {@code ip6.arpa.} for IPv6. */
  static String ptrName(InetAddress address) {
    byte[] bytes = address.getAddress();
    StringBuilder b = new StringBuilder(bytes.length * 4 + 10);
    if (address instanceof Inet4Address) {
      for (int i = bytes.length - 1; i >= 0; i--) {
        b.append(bytes[i] & 0xff).append('.');
      }
      return b.append("in-addr.arpa.").toString();
    }
    for (int i = bytes.length - 1; i >= 0; i--) {
      b.append(HEX[bytes[i] & 0x0f]).append('.').append(HEX[(bytes[i] >> 4) & 0x0f]).append('.');
    }
    return b.append("ip6.arpa.").toString();
  }

  /** A name as a lookup key: lower case, no trailing root dot (DNS names compare case-insensitively, RFC 4343). */
  static String key(String name) {
    String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    return bare.toLowerCase(Locale.ROOT);
  }

  /**
   * The host name a PTR record names, without the root dot, when it is fit to be passed on: it ends up in an HTTP
   * header and in XCLIENT, so only letters, digits, hyphens and underscores in labels of 1 to 63 characters (RFC 1123
   * §2.1, plus the underscore real zones use). A label may legally hold any octet, CR and LF included; such a name is
   * refused rather than escaped.
   */
  static Optional<String> hostName(String name) {
    String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (bare.isEmpty() || bare.length() > MAX_NAME) {
      return Optional.empty();
    }
    int labelLength = 0;
    for (int i = 0; i < bare.length(); i++) {
      char c = bare.charAt(i);
      if (c == '.') {
        if (labelLength == 0) {
          return Optional.empty();
        }
        labelLength = 0;
      } else if (isHostChar(c) && ++labelLength <= MAX_LABEL) {
        continue;
      } else {
        return Optional.empty();
      }
    }
    return labelLength == 0 ? Optional.empty() : Optional.of(bare);
  }

  private static boolean isHostChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }
}
