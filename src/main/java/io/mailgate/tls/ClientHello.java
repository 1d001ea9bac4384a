package io.mailgate.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What mailgate needs from a ClientHello body (from client_version on, RFC 8446 4.1.2): the ALPN list (RFC 7301)
 * and which certificate types its TLS 1.2 cipher suites can use.
 *
 * @param alpn the offered protocols; empty when there is no ALPN extension
 * @param ecdsaSuites whether a TLS 1.2 ECDHE-ECDSA suite is offered
 * @param otherSuites whether another TLS 1.2 suite (RSA-authenticated) is offered
 */
record ClientHello(Optional<List<String>> alpn, boolean ecdsaSuites, boolean otherSuites) {
  private static final int ALPN_EXTENSION = 16;
  /** ECDHE_ECDSA suites (RFC 8422, 5289, 7905, 7251, 6367, 6209). */
  private static final Set<Integer> ECDSA_SUITES = Set.of(0xC006, 0xC007, 0xC008, 0xC009, 0xC00A, 0xC023, 0xC024,
      0xC02B, 0xC02C, 0xCCA9, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF, 0xC072, 0xC073, 0xC086, 0xC087, 0xC048, 0xC049,
      0xC05C, 0xC05D);

  /** Parses a ClientHello body; a malformed one gives what could be read. */
  static ClientHello parse(ByteBuf hello) {
    int at = hello.readerIndex();
    int end = hello.writerIndex();
    at += 2 + 32;
    if (at + 1 > end) {
      return new ClientHello(Optional.empty(), false, false);
    }
    at += 1 + hello.getUnsignedByte(at);
    if (at + 2 > end) {
      return new ClientHello(Optional.empty(), false, false);
    }
    boolean ecdsa = false;
    boolean other = false;
    int suitesEnd = Math.min(end, at + 2 + hello.getUnsignedShort(at));
    for (int i = at + 2; i + 2 <= suitesEnd; i += 2) {
      int suite = hello.getUnsignedShort(i);
      boolean special = (suite >> 8) == 0x13 || suite == 0x00FF || suite == 0x5600 || (suite & 0x0F0F) == 0x0A0A;
      ecdsa |= ECDSA_SUITES.contains(suite);
      other |= !special && !ECDSA_SUITES.contains(suite);
    }
    return new ClientHello(alpnList(hello, suitesEnd, end), ecdsa, other);
  }

  private static Optional<List<String>> alpnList(ByteBuf hello, int at, int end) {
    if (at + 1 > end) {
      return Optional.empty();
    }
    at += 1 + hello.getUnsignedByte(at);
    if (at + 2 > end) {
      return Optional.empty();
    }
    int extensionsEnd = Math.min(end, at + 2 + hello.getUnsignedShort(at));
    at += 2;
    while (at + 4 <= extensionsEnd) {
      int type = hello.getUnsignedShort(at);
      int length = hello.getUnsignedShort(at + 2);
      at += 4;
      if (at + length > extensionsEnd) {
        return Optional.empty();
      }
      if (type == ALPN_EXTENSION) {
        return Optional.of(protocols(hello, at, length));
      }
      at += length;
    }
    return Optional.empty();
  }

  private static List<String> protocols(ByteBuf hello, int at, int length) {
    List<String> protocols = new ArrayList<>();
    if (length < 2) {
      return protocols;
    }
    int end = at + Math.min(length, 2 + hello.getUnsignedShort(at));
    at += 2;
    while (at < end) {
      int size = hello.getUnsignedByte(at);
      at++;
      if (at + size > end) {
        break;
      }
      protocols.add(hello.toString(at, size, StandardCharsets.ISO_8859_1));
      at += size;
    }
    return protocols;
  }
}
