package io.mailgate.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Optional;

/**
 * The package-private auth_http response reader, opened for the fuzz targets in {@code io.mailgate.fuzz} (they live
 * in their own package so that only their JVM carries Jazzer's agent). Test code only.
 */
public final class AuthResponseFuzzAccess {

  /** {@link AuthResponseParser#MAX_HEAD_BYTES}. */
  public static final int MAX_HEAD_BYTES = AuthResponseParser.MAX_HEAD_BYTES;

  /**
   * What reading a response came to.
   *
   * @param status the parser's last {@link AuthResponseParser.Status}, by name
   * @param consumed how many bytes the parser took (the rest would be the body)
   * @param result the interpreted answer, when the head was complete
   */
  public record Outcome(String status, int consumed, Optional<AuthResult> result) {}

  private AuthResponseFuzzAccess() {}

  /** Feeds {@code fragments} one buffer each, as reads off a socket would arrive, then interprets the head. */
  public static Outcome read(List<byte[]> fragments, String peer) {
    AuthResponseParser parser = new AuthResponseParser();
    AuthResponseParser.Status status = AuthResponseParser.Status.NEED_MORE;
    int consumed = 0;
    for (byte[] fragment : fragments) {
      ByteBuf buf = Unpooled.wrappedBuffer(fragment);
      try {
        status = parser.feed(buf);
        consumed += buf.readerIndex();
      } finally {
        buf.release();
      }
      if (status != AuthResponseParser.Status.NEED_MORE) {
        break;
      }
    }
    Optional<AuthResult> result = status == AuthResponseParser.Status.DONE
        ? Optional.of(AuthResponseInterpreter.interpret(parser.response(), peer))
        : Optional.empty();
    return new Outcome(status.name(), consumed, result);
  }

  /** {@link AuthServerAddress#isHostName}. */
  public static boolean isHostName(String text) {
    return AuthServerAddress.isHostName(text);
  }

  /** {@link AuthServerAddress#parse} found a literal. */
  public static boolean isAddressLiteral(String text) {
    return AuthServerAddress.parse(text).isPresent();
  }
}
