package io.mailgate.auth;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Parses {@code Auth-Server}: a literal IPv4 or IPv6 address, never a host name (nginx's {@code ngx_parse_addr}
 * does no DNS, and a lookup here would block the event loop).
 */
final class AuthServerAddress {

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
