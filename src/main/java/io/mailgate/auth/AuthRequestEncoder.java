package io.mailgate.auth;

import io.mailgate.config.AuthHttpConfig;
import io.mailgate.config.AuthHttpService;
import io.mailgate.sasl.Credentials;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one auth_http request in nginx's header order (reference §3.2). Logins and secrets are written as the raw
 * bytes the client sent; {@link String} values are written byte for char (ISO-8859-1), so a string that carries raw
 * bytes one per char goes out unchanged.
 */
final class AuthRequestEncoder {

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private AuthRequestEncoder() {}

  /** The whole request to the config's first service; the caller owns the buffer. */
  static ByteBuf encode(AuthHttpConfig config, AuthRequest request, ByteBufAllocator alloc) {
    return encode(config, config.first(), request, alloc);
  }

  /** The whole request to {@code service}, {@code GET} line to the empty line; the caller owns the buffer. */
  static ByteBuf encode(AuthHttpConfig config, AuthHttpService service, AuthRequest request, ByteBufAllocator alloc) {
    Credentials credentials = request.credentials();
    byte[] login = credentials.login();
    byte[] secret = credentials.secret();
    ByteBuf out = alloc.buffer(512 + 3 * (login.length + secret.length));
    try {
      text(out, "GET ");
      text(out, service.uri());
      text(out, " HTTP/1.0\r\n");
      header(out, "Host", service.hostHeader());
      header(out, "Auth-Method", credentials.mechanism().authHttpMethod());
      escapedHeader(out, "Auth-User", login);
      escapedHeader(out, "Auth-Pass", secret);
      // The salt is nginx's own challenge text, sent unescaped.
      credentials.salt().ifPresent(salt -> header(out, "Auth-Salt", salt));
      header(out, "Auth-Protocol", request.protocol());
      header(out, "Auth-Login-Attempt", Integer.toString(request.loginAttempt()));
      header(out, "Client-IP", request.clientIp());
      request.clientHost().ifPresent(host -> header(out, "Client-Host", host));
      for (AuthRequest.Header h : request.protocolHeaders()) {
        header(out, h.name(), h.value());
      }
      // Ours, after all of nginx's: 16 hex digits made by mailgate, never client text.
      request.sessionId().ifPresent(id -> header(out, AuthRequest.SESSION_ID_HEADER, id));
      // Not in nginx (one connection per request there): lets HTTP/1.0 servers keep the connection for the pool.
      if (config.keepalive() > 0) {
        header(out, "Connection", "keep-alive");
      }
      for (AuthHttpConfig.HttpHeader h : config.headers()) {
        header(out, h.name(), h.value());
      }
      text(out, "\r\n");
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    } finally {
      // Our copy only: the caller's Credentials keep theirs.
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * Appends {@code value} percent-encoded as nginx's {@code NGX_ESCAPE_MAIL_AUTH} does (reference §3.3): space,
   * {@code %} and the control bytes 0x00-0x1F become {@code %XX} with uppercase hex; every other byte, 0x7F and
   * 0x80-0xFF included, is copied raw.
   */
  static void writeEscaped(ByteBuf out, byte[] value) {
    for (byte b : value) {
      int c = b & 0xFF;
      if (c <= 0x20 || c == '%') {
        out.writeByte('%');
        out.writeByte(HEX[c >>> 4]);
        out.writeByte(HEX[c & 0x0F]);
      } else {
        out.writeByte(c);
      }
    }
  }

  private static void header(ByteBuf out, String name, String value) {
    text(out, name);
    text(out, ": ");
    text(out, value);
    text(out, "\r\n");
  }

  private static void escapedHeader(ByteBuf out, String name, byte[] value) {
    text(out, name);
    text(out, ": ");
    writeEscaped(out, value);
    text(out, "\r\n");
  }

  private static void text(ByteBuf out, String s) {
    out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
  }
}
