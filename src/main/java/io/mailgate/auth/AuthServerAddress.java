package io.mailgate.auth;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses {@code Auth-Server}: a literal IPv4 or IPv6 address as nginx's {@code ngx_parse_addr} takes it, or (beyond
 * nginx, which answers a name with an internal error) a host name, which {@link HttpAuthClient} resolves without
 * blocking once the answer is in.
 */
final class AuthServerAddress {

  /** One label of a host name. */
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private AuthServerAddress() {}

  /** The address, or empty when {@code text} is not a literal IPv4 or bare IPv6 address. */
  static Optional<InetAddress> parse(String text) {
    byte[] bytes = ipv4(text);
    if (bytes == null && isBareIpv6(text)) {
      bytes = NetUtil.createByteArrayFromIpAddressString(text);
    }
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code text} is a host name (RFC 1123 §2.1 labels of letters, digits and inner hyphens, at most 63
   * bytes each and 253 in all) whose last label is not all digits (RFC 3696 §2), so that a malformed IPv4 literal
   * such as {@code 1.2.3.256} stays invalid rather than becoming a lookup.
   */
  static boolean isHostName(String text) {
    if (text.isEmpty() || text.length() > 253 || text.endsWith(".")) {
      return false;
    }
    String[] labels = text.split("\\.", -1);
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return !AuthResponse.isDigits(labels[labels.length - 1]);
  }

  /** Dotted quad, four decimal parts of one to three digits, each at most 255. */
  private static byte[] ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.length() > 3 || !AuthResponse.isDigits(p)) {
        return null;
      }
      int n = Integer.parseInt(p);
      if (n > 255) {
        return null;
      }
      out[i] = (byte) n;
    }
    return out;
  }

  /** nginx takes IPv6 without brackets or a zone index. */
  private static boolean isBareIpv6(String text) {
    return text.indexOf(':') >= 0 && text.indexOf('[') < 0 && text.indexOf('%') < 0
        && NetUtil.isValidIpV6Address(text);
  }
}
