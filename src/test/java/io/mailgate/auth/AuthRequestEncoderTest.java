package io.mailgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.AuthHttpConfig;
import io.mailgate.config.AuthHttpService;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthRequestEncoderTest {

  static final AuthHttpConfig CONFIG = AuthHttpConfig.single(AuthHttpService.plain("http://auth.example:9000/mail/auth",
      new InetSocketAddress("127.0.0.1", 9000), "auth.example", "/mail/auth", Duration.ofSeconds(5)),
      List.of(new AuthHttpConfig.HttpHeader("X-Auth-Key", "secret key"),
          new AuthHttpConfig.HttpHeader("X-Second", "2")),
      false, AuthHttpConfig.DEFAULT_KEEPALIVE);

  private static byte[] encode(AuthHttpConfig config, AuthRequest request) {
    ByteBuf buf = AuthRequestEncoder.encode(config, request, ByteBufAllocator.DEFAULT);
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  private static String escape(byte[] value) {
    ByteBuf buf = Unpooled.buffer();
    try {
      AuthRequestEncoder.writeEscaped(buf, value);
      return buf.toString(StandardCharsets.ISO_8859_1);
    } finally {
      buf.release();
    }
  }

  @Test
  void aPlainRequestHasNginxHeadersInOrderThenKeepAliveThenConfiguredHeaders() {
    AuthRequest request = new AuthRequest(
        Credentials.of(Mechanism.LOGIN, "user".getBytes(StandardCharsets.US_ASCII),
            "a b%c\u0001".getBytes(StandardCharsets.US_ASCII)),
        "smtp", 2, "192.0.2.7", Optional.of("[UNAVAILABLE]"),
        List.of(new AuthRequest.Header("Auth-SMTP-Helo", "client.example"),
            new AuthRequest.Header("Auth-SSL", "on")));
    assertThat(new String(encode(CONFIG, request), StandardCharsets.ISO_8859_1)).isEqualTo(
        "GET /mail/auth HTTP/1.0\r\n"
            + "Host: auth.example\r\n"
            + "Auth-Method: plain\r\n"
            + "Auth-User: user\r\n"
            + "Auth-Pass: a%20b%25c%01\r\n"
            + "Auth-Protocol: smtp\r\n"
            + "Auth-Login-Attempt: 2\r\n"
            + "Client-IP: 192.0.2.7\r\n"
            + "Client-Host: [UNAVAILABLE]\r\n"
            + "Auth-SMTP-Helo: client.example\r\n"
            + "Auth-SSL: on\r\n"
            + "Connection: keep-alive\r\n"
            + "X-Auth-Key: secret key\r\n"
            + "X-Second: 2\r\n"
            + "\r\n");
  }

  @Test
  void theSessionIdGoesAfterNginxsHeadersAndBeforeKeepAlive() {
    AuthRequest request = new AuthRequest(
        Credentials.of(Mechanism.PLAIN, "user".getBytes(StandardCharsets.US_ASCII),
            "pw".getBytes(StandardCharsets.US_ASCII)),
        "imap", 1, "192.0.2.7", Optional.empty(), List.of(new AuthRequest.Header("Auth-SSL", "on")),
        Optional.of("5f3a9c0100000007"));
    assertThat(new String(encode(CONFIG, request), StandardCharsets.ISO_8859_1)).contains(
        "Client-IP: 192.0.2.7\r\n"
            + "Auth-SSL: on\r\n"
            + "X-Mailgate-Session-Id: 5f3a9c0100000007\r\n"
            + "Connection: keep-alive\r\n");
  }

  @Test
  void aSaltedRequestSendsAuthSaltUnescapedAfterAuthPassAndWithoutAPoolNoConnectionHeader() {
    AuthRequest request = new AuthRequest(
        new Credentials(Mechanism.APOP, "bob".getBytes(StandardCharsets.US_ASCII),
            "0123456789abcdef".getBytes(StandardCharsets.US_ASCII), Optional.of("<1.2@mail example>")),
        "pop3", 1, "::1", Optional.empty(), List.of());
    AuthHttpConfig bare = AuthHttpConfig.single(AuthHttpService.plain("unix:/run/auth.sock",
        new InetSocketAddress("127.0.0.1", 1), "localhost", "/", Duration.ofSeconds(1)), List.of(), false, 0);
    assertThat(new String(encode(bare, request), StandardCharsets.ISO_8859_1)).isEqualTo(
        "GET / HTTP/1.0\r\n"
            + "Host: localhost\r\n"
            + "Auth-Method: apop\r\n"
            + "Auth-User: bob\r\n"
            + "Auth-Pass: 0123456789abcdef\r\n"
            + "Auth-Salt: <1.2@mail example>\r\n"
            + "Auth-Protocol: pop3\r\n"
            + "Auth-Login-Attempt: 1\r\n"
            + "Client-IP: ::1\r\n"
            + "\r\n");
  }

  @Test
  void utf8LoginsAreSentAsTheirRawBytes() {
    byte[] login = "j\u00fcrgen@\u00e9xample".getBytes(StandardCharsets.UTF_8);
    AuthRequest request = new AuthRequest(Credentials.of(Mechanism.PLAIN, login, new byte[0]),
        "imap", 1, "127.0.0.1", Optional.empty(), List.of());
    byte[] encoded = encode(CONFIG, request);
    byte[] expected = ByteBufUtil.getBytes(Unpooled.wrappedBuffer(
        "Auth-User: ".getBytes(StandardCharsets.US_ASCII), login, "\r\nAuth-Pass: \r\n".getBytes(
            StandardCharsets.US_ASCII)));
    assertThat(ByteBufUtil.indexOf(Unpooled.wrappedBuffer(expected), Unpooled.wrappedBuffer(encoded)))
        .isNotNegative();
  }

  @Test
  void escapingCoversSpacePercentAndControlBytesOnly() {
    assertThat(escape("a b%c\u0001".getBytes(StandardCharsets.US_ASCII))).isEqualTo("a%20b%25c%01");
    assertThat(escape(new byte[] {0x00, 0x0A, 0x0D, 0x1F, 0x20})).isEqualTo("%00%0A%0D%1F%20");
    assertThat(escape(new byte[] {0x7F, (byte) 0x80, (byte) 0xFF, '"', '\\', '+', '&', '='}))
        .isEqualTo("\u007f\u0080\u00ff\"\\+&=");
    assertThat(escape("%%".getBytes(StandardCharsets.US_ASCII))).isEqualTo("%25%25");
  }
}
