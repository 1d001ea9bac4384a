package io.mailgate.config;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * One {@code set_real_ip_from} source: an address, a CIDR block ({@code 192.0.2.0/24}, {@code 2001:db8::/32}), or
 * {@code unix:} for every unix-domain client. Host bits below the prefix are cleared, as nginx does (it only warns).
 *
 * @param network the block's first address; empty for {@code unix:}
 * @param prefixLength the number of leading bits that must match
 * @param text the directive's argument, for messages
 */
public record AddressRange(Optional<InetAddress> network, int prefixLength, String text) {

  /** Parses one argument of {@code set_real_ip_from}. Host names are refused: nginx's mail module takes none. */
  static AddressRange parse(Directive d, String text) throws ConfigException {
    if (text.equals("unix:")) {
      return new AddressRange(Optional.empty(), 0, text);
    }
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
    if (address == null) {
      throw d.error("invalid parameter \"" + text + "\"");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String length = text.substring(slash + 1);
      if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(Character::isDigit)
          || Integer.parseInt(length) > bits) {
        throw d.error("invalid parameter \"" + text + "\"");
      }
      prefix = Integer.parseInt(length);
    }
    try {
      return new AddressRange(Optional.of(InetAddress.getByAddress(masked(address, prefix))), prefix, text);
    } catch (UnknownHostException e) {
      throw d.error("invalid parameter \"" + text + "\"");
    }
  }

  /**
   * Whether a client connected from {@code address} is one of this range's. An IPv4 client on a dual-stack socket
   * (::ffff:a.b.c.d) matches IPv4 ranges, as Java already reports such peers as IPv4.
   */
  public boolean matches(SocketAddress address) {
    if (network.isEmpty()) {
      return address instanceof DomainSocketAddress;
    }
    if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return false;
    }
    byte[] candidate = inet.getAddress().getAddress();
    byte[] block = network.get().getAddress();
    return candidate.length == block.length && Arrays.equals(masked(candidate, prefixLength), block);
  }

  private static byte[] masked(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xFF << (8 - keep));
    }
    return out;
  }
}
