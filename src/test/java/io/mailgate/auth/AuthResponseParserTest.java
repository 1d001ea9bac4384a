package io.mailgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthResponseParserTest {

  private static final List<String> NAMES = List.of(
      "Auth-Status", "Auth-Server", "Auth-Port", "Auth-User", "Auth-Pass", "Auth-Wait", "X-Empty", "HTTP", "HT",
      "Content-Length", "Connection");

  /** Status, status line, the known headers and the unconsumed bytes, for comparing feeding strategies. */
  private record Outcome(AuthResponseParser.Status status, Optional<String> statusLine, List<String> headers,
      String rest) {}

  private static Outcome whole(String response) {
    return feed(List.of(bytes(response)));
  }

  private static Outcome feed(List<byte[]> pieces) {
    AuthResponseParser parser = new AuthResponseParser();
    AuthResponseParser.Status status = AuthResponseParser.Status.NEED_MORE;
    StringBuilder rest = new StringBuilder();
    for (byte[] piece : pieces) {
      ByteBuf buf = Unpooled.wrappedBuffer(piece);
      try {
        if (status == AuthResponseParser.Status.NEED_MORE) {
          status = parser.feed(buf);
        }
        rest.append(buf.toString(StandardCharsets.ISO_8859_1));
      } finally {
        buf.release();
      }
    }
    if (status != AuthResponseParser.Status.DONE) {
      return new Outcome(status, Optional.empty(), List.of(), "");
    }
    AuthResponse response = parser.response();
    List<String> headers = new ArrayList<>();
    for (String name : NAMES) {
      response.text(name).ifPresent(v -> headers.add(name + "=" + v));
    }
    return new Outcome(status, response.statusLine(), headers, rest.toString());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The outcome must not depend on how the bytes arrive: whole, byte by byte, or split at any offset. */
  private static Outcome everyWay(String response) {
    Outcome expected = whole(response);
    byte[] all = bytes(response);
    List<byte[]> single = new ArrayList<>();
    for (byte b : all) {
      single.add(new byte[] {b});
    }
    assertThat(feed(single)).as("byte by byte").isEqualTo(expected);
    for (int i = 0; i <= all.length; i++) {
      byte[] a = Arrays.copyOfRange(all, 0, i);
      byte[] b = Arrays.copyOfRange(all, i, all.length);
      assertThat(feed(List.of(a, b))).as("split at %d", i).isEqualTo(expected);
    }
    return expected;
  }

  @Test
  void aResponseWithAStatusLineIsParsedAndTheBodyIsLeftUnread() {
    Outcome o = everyWay("HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 143\r\n"
        + "Content-Length: 4\r\n\r\nbody");
    assertThat(o.status()).isEqualTo(AuthResponseParser.Status.DONE);
    assertThat(o.statusLine()).contains("HTTP/1.1 200 OK");
    assertThat(o.headers()).containsExactly(
        "Auth-Status=OK", "Auth-Server=127.0.0.1", "Auth-Port=143", "Content-Length=4");
    assertThat(o.rest()).isEqualTo("body");
  }

  @Test
  void theStatusLineIsOptional() {
    Outcome o = everyWay("Auth-Status: OK\r\nAuth-Port: 110\r\n\r\n");
    assertThat(o.status()).isEqualTo(AuthResponseParser.Status.DONE);
    assertThat(o.statusLine()).isEmpty();
    assertThat(o.headers()).containsExactly("Auth-Status=OK", "Auth-Port=110");
  }

  @Test
  void aFirstHeaderThatStartsLikeHttpIsAHeaderNotAStatusLine() {
    assertThat(everyWay("HTTP: x\r\n\r\n").headers()).containsExactly("HTTP=x");
    assertThat(everyWay("HT\r\n\r\n").headers()).containsExactly("HT=");
  }

  @Test
  void bareLineFeedsEndLinesEverywhere() {
    Outcome o = everyWay("HTTP/1.0 200 OK\nAuth-Status: Invalid login\nAuth-Wait: 3\n\nrest");
    assertThat(o.status()).isEqualTo(AuthResponseParser.Status.DONE);
    assertThat(o.statusLine()).contains("HTTP/1.0 200 OK");
    assertThat(o.headers()).containsExactly("Auth-Status=Invalid login", "Auth-Wait=3");
    assertThat(o.rest()).isEqualTo("rest");
  }

  @Test
  void valuesLoseOuterSpacesButKeepInnerOnesAndTabs() {
    Outcome o = everyWay("Auth-Status:    Bad   password   \r\nAuth-User:\tx\t\r\nX-Empty:   \r\n\r\n");
    assertThat(o.headers()).containsExactly("Auth-Status=Bad   password", "Auth-User=\tx\t", "X-Empty=");
  }

  @Test
  void aNameWithoutColonIsAHeaderWithAnEmptyValue() {
    assertThat(everyWay("X-Empty\r\nAuth-Port: 1\r\n\r\n").headers()).containsExactly("Auth-Port=1", "X-Empty=");
  }

  @Test
  void namesAreCaseInsensitiveAndTheLastRepeatWins() {
    Outcome o = everyWay("auth-status: Bad\r\nAUTH-STATUS: Worse\r\nAuth-Status: OK\r\nauth-port: 1\r\n\r\n");
    assertThat(o.headers()).containsExactly("Auth-Status=OK", "Auth-Port=1");
  }

  @Test
  void rawBytesAboveAsciiArePreserved() {
    byte[] utf8 = "Auth-User: j\u00fcrgen\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    AuthResponseParser parser = new AuthResponseParser();
    ByteBuf buf = Unpooled.wrappedBuffer(utf8);
    try {
      assertThat(parser.feed(buf)).isEqualTo(AuthResponseParser.Status.DONE);
    } finally {
      buf.release();
    }
    assertThat(parser.response().header("auth-user")).get().isEqualTo("j\u00fcrgen".getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Auth_Status: OK\r\n\r\n", " Auth-Status: OK\r\n\r\n", ":x\r\n\r\n", "-Auth: x\r\n\r\n",
      "HTTP/1.0 200 OK\r\nAuth Status: OK\r\n\r\n", "Auth-Status: OK\r\n\u00e9: x\r\n\r\n"})
  void anInvalidHeaderNameIsRejected(String response) {
    assertThat(everyWay(response).status()).isEqualTo(AuthResponseParser.Status.INVALID_HEADER);
  }

  @Test
  void aBareCarriageReturnInTheStatusLineIsAnInvalidResponse() {
    assertThat(everyWay("HTTP/1.0 200\rOK\r\n\r\n").status()).isEqualTo(AuthResponseParser.Status.INVALID_RESPONSE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Auth-Status: O\rK\r\n\r\n", "Auth-Status: OK\r\n\rX", "Auth\rX: 1\r\n\r\n"})
  void aBareCarriageReturnInTheHeadersIsAnInvalidHeader(String response) {
    assertThat(everyWay(response).status()).isEqualTo(AuthResponseParser.Status.INVALID_HEADER);
  }

  @Test
  void anIncompleteHeadNeedsMore() {
    assertThat(everyWay("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\n").status())
        .isEqualTo(AuthResponseParser.Status.NEED_MORE);
    assertThat(everyWay("HTT").status()).isEqualTo(AuthResponseParser.Status.NEED_MORE);
  }

  @Test
  void anEmptyHeadIsComplete() {
    Outcome o = everyWay("\r\n");
    assertThat(o.status()).isEqualTo(AuthResponseParser.Status.DONE);
    assertThat(o.headers()).isEmpty();
  }

  @Test
  void aHeadOfExactlyTheLimitIsAcceptedAndOneByteMoreIsTooLarge() {
    String start = "HTTP/1.0 200 OK\r\nX-Pad: ";
    String end = "\r\n\r\n";
    String fits = start + "a".repeat(AuthResponseParser.MAX_HEAD_BYTES - start.length() - end.length()) + end;
    assertThat(fits).hasSize(AuthResponseParser.MAX_HEAD_BYTES);
    assertThat(whole(fits + "body").status()).isEqualTo(AuthResponseParser.Status.DONE);
    assertThat(whole(fits + "body").rest()).isEqualTo("body");
    String tooLarge = start + "a" + fits.substring(start.length());
    assertThat(whole(tooLarge).status()).isEqualTo(AuthResponseParser.Status.TOO_LARGE);
  }

  @Test
  void aHeadThatReachesTheLimitUnfinishedIsTooLargeWithoutWaitingForMore() {
    String pad = "X-Pad: " + "a".repeat(AuthResponseParser.MAX_HEAD_BYTES);
    assertThat(whole(pad.substring(0, AuthResponseParser.MAX_HEAD_BYTES)).status())
        .isEqualTo(AuthResponseParser.Status.TOO_LARGE);
  }
}
