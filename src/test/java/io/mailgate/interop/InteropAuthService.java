package io.mailgate.interop;

import io.mailgate.testkit.FakeAuthServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The operator's auth_http service of the setups that use one: it knows the {@link Account}'s password, checks
 * password logins and CRAM-MD5 (RFC 2195: the digest is HMAC-MD5 of the salt, keyed with the password, and the
 * service returns the password in {@code Auth-Pass} for the backend login), lets SMTP's {@code none} through, and
 * routes each login to the backend port for its protocol. A failure has no Auth-Wait, so the case does not sleep.
 */
final class InteropAuthService {

  private InteropAuthService() {}

  /** The responder; {@code backendPort} maps {@code Auth-Protocol} ({@code imap}, {@code pop3}, {@code smtp}). */
  static Function<FakeAuthServer.Request, String> routingTo(ToIntFunction<String> backendPort) {
    return request -> {
      int port = backendPort.applyAsInt(request.header("Auth-Protocol"));
      String method = request.header("Auth-Method");
      String user = request.header("Auth-User");
      String pass = request.header("Auth-Pass");
      if ("none".equals(method)) {
        return FakeAuthServer.ok(port);
      }
      boolean rightUser = Account.USER.equals(user);
      if (rightUser && "plain".equals(method) && Account.PASSWORD.equals(pass)) {
        return FakeAuthServer.ok(port);
      }
      if (rightUser && "cram-md5".equals(method) && digestMatches(request.header("Auth-Salt"), pass)) {
        return FakeAuthServer.ok(port, "Auth-Pass: " + Account.PASSWORD);
      }
      return FakeAuthServer.fail("Invalid login or password");
    };
  }

  private static boolean digestMatches(String salt, String digest) {
    if (salt == null || digest == null) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(Account.PASSWORD.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      byte[] expected = HexFormat.of().formatHex(mac.doFinal(salt.strip().getBytes(StandardCharsets.US_ASCII)))
          .getBytes(StandardCharsets.US_ASCII);
      return MessageDigest.isEqual(expected, digest.strip().getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
