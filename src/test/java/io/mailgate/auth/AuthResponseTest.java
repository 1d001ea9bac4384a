package io.mailgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthResponseTest {

  static AuthResponse parse(String head) {
    AuthResponseParser parser = new AuthResponseParser();
    ByteBuf buf = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
    try {
      assertThat(parser.feed(buf)).isEqualTo(AuthResponseParser.Status.DONE);
    } finally {
      buf.release();
    }
    return parser.response();
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "HTTP/1.1 200 OK|                     |true",
      "HTTP/1.1 200 OK|Connection: close    |false",
      "HTTP/1.1 200 OK|Connection: x, Close |false",
      "HTTP/1.1 200 OK|Transfer-Encoding: chunked|false",
      "HTTP/2.0 200 OK|                     |true",
      "HTTP/1.0 200 OK|                     |false",
      "HTTP/1.0 200 OK|Connection: keep-alive|true",
      "HTTP/1.0 200 OK|Connection: Keep-Alive, foo|true",
      "HTTP/1.x 200 OK|                     |false",
      "HTTP/1.1        |                     |true",
  })
  void keepAliveFollowsTheVersionAndTheConnectionHeader(String statusLine, String header, boolean keepAlive) {
    String head = statusLine.trim() + "\r\n" + (header == null ? "" : header.trim() + "\r\n") + "\r\n";
    assertThat(parse(head).keepAlive()).isEqualTo(keepAlive);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {"Connection: keep-alive", "Connection: close"})
  void aResponseWithoutStatusLineIsNeverKeptAlive(String header) {
    assertThat(parse(header + "\r\n\r\n").keepAlive()).isFalse();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {"0|0", "17|17", "65536|65536", "-1|", "1x|", "' '|", "1 2|",
      "9999999999999999999|"})
  void contentLengthIsAPlainDecimalNumber(String value, Long expected) {
    OptionalLong length = parse("HTTP/1.1 200 OK\r\nContent-Length: " + value + "\r\n\r\n").contentLength();
    assertThat(length).isEqualTo(expected == null ? OptionalLong.empty() : OptionalLong.of(expected));
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "HTTP/1.0 204 No Content|                  |0",
      "HTTP/1.1 204 No Content|Content-Length: 12|0",
      "HTTP/1.1 304 Not Modified|                |0",
      "HTTP/1.1 100 Continue|                    |0",
      "HTTP/1.1 200 OK|Content-Length: 12        |12",
      "HTTP/1.1 200 OK|                          |",
      "HTTP/1.1 2040 Odd|                        |",
      "HTTP/1.1 20x Odd|Content-Length: 3        |3",
  })
  void bodyLengthIsZeroForStatusesWithoutBodyAndOtherwiseTheContentLength(
      String statusLine, String header, Long expected) {
    String head = statusLine.trim() + "\r\n" + (header == null ? "" : header.trim() + "\r\n") + "\r\n";
    assertThat(parse(head).bodyLength()).isEqualTo(expected == null ? OptionalLong.empty() : OptionalLong.of(expected));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {"HTTP/1.0 204 No Content|204", "HTTP/1.1 200|200", "HTTP/1.1 20|-1",
      "HTTP/1.1 2000 x|-1", "garbage|-1"})
  void statusCodeIsTheThreeDigitsAfterTheVersion(String statusLine, int expected) {
    assertThat(parse(statusLine + "\r\n\r\n").statusCode()).isEqualTo(expected);
  }
}
