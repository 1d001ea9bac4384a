package io.mailgate.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Optional;

/**
 * The package-private ClientHello peek and cipher-string expansion, opened for the fuzz targets in
 * {@code io.mailgate.fuzz}. Test code only.
 */
public final class TlsParsersFuzzAccess {

  /** What {@link ClientHello#parse} read. */
  public record Hello(Optional<List<String>> alpn, boolean ecdsaSuites, boolean otherSuites) {}

  private TlsParsersFuzzAccess() {}

  /** Parses a ClientHello body (after the handshake header), from a buffer released afterwards. */
  public static Hello clientHello(byte[] body) {
    ByteBuf buf = Unpooled.wrappedBuffer(body);
    try {
      ClientHello hello = ClientHello.parse(buf);
      return new Hello(hello.alpn(), hello.ecdsaSuites(), hello.otherSuites());
    } finally {
      buf.release();
    }
  }

  /** {@link CipherRules#expand}. */
  public static List<String> expandCiphers(String rules, List<String> available) {
    return CipherRules.expand(rules, available);
  }
}
