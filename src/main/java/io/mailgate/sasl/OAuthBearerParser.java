package io.mailgate.sasl;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * RFC 7628 §3.1 OAUTHBEARER: {@code gs2-header ^A *(kvpair ^A) ^A}, parsed with nginx's (freenginx) leniency and
 * strictness: the authzid {@code a=} is mandatory, the GS2 flag is not checked, host/port are ignored, and the token
 * is the first {@code auth=Bearer } kvpair that is terminated by ^A.
 */
final class OAuthBearerParser implements MessageParser {

  private static final String AUTHZID_PREFIX = "a=";
  /** Fastmail's original draft used {@code n,user=<u>,}. */
  private static final String FASTMAIL_USER_PREFIX = "user=";
  private static final String TOKEN_PREFIX = "auth=Bearer ";

  private final boolean fastmailCompat;

  OAuthBearerParser(boolean fastmailCompat) {
    this.fastmailCompat = fastmailCompat;
  }

  @Override
  public SaslStep parse(byte[] message) {
    int[] login = findLogin(message);
    if (login == null) {
      return Rejections.login(Mechanism.OAUTHBEARER);
    }
    int[] token = findToken(message, login[1]);
    if (token == null) {
      return Rejections.token(Mechanism.OAUTHBEARER);
    }
    Optional<byte[]> user = decodeSaslName(message, login[0], login[1]);
    if (user.isEmpty() || SaslBytes.hasLineBreakOrNul(user.get())) {
      return Rejections.login(Mechanism.OAUTHBEARER);
    }
    byte[] secret = SaslBytes.slice(message, token[0], token[1]);
    try {
      if (SaslBytes.hasLineBreakOrNul(secret)) {
        return Rejections.token(Mechanism.OAUTHBEARER);
      }
      return new SaslStep.Done(Credentials.of(Mechanism.OAUTHBEARER, user.get(), secret));
    } finally {
      SaslBytes.wipe(secret);
    }
  }

  /**
   * The raw authzid value as {start, end}: the first GS2 field after a comma that is a non-empty {@code a=} field
   * terminated by a comma, searching only up to the first ^A; null if there is none.
   */
  private int[] findLogin(byte[] message) {
    int fieldStart = -1;
    for (int i = 0; i < message.length; i++) {
      byte b = message[i];
      if (b == SaslBytes.CTRL_A) {
        return null;
      }
      if (b != ',') {
        continue;
      }
      if (fieldStart >= 0) {
        int prefix = authzidPrefixLength(message, fieldStart, i);
        if (prefix > 0 && i - fieldStart > prefix) {
          return new int[] {fieldStart + prefix, i};
        }
      }
      fieldStart = i + 1;
    }
    return null;
  }

  private int authzidPrefixLength(byte[] message, int from, int to) {
    if (SaslBytes.startsWithIgnoreCase(message, from, to, AUTHZID_PREFIX)) {
      return AUTHZID_PREFIX.length();
    }
    if (fastmailCompat && SaslBytes.startsWithIgnoreCase(message, from, to, FASTMAIL_USER_PREFIX)) {
      return FASTMAIL_USER_PREFIX.length();
    }
    return 0;
  }

  /**
   * The bearer token as {start, end}: the first ^A-started kvpair, after {@code from}, that begins with
   * {@code auth=Bearer } (any case), has a non-empty value and is terminated by ^A; null if there is none.
   */
  private static int[] findToken(byte[] message, int from) {
    int pairStart = -1;
    for (int i = from; i < message.length; i++) {
      if (message[i] != SaslBytes.CTRL_A) {
        continue;
      }
      if (pairStart >= 0
          && i - pairStart > TOKEN_PREFIX.length()
          && SaslBytes.startsWithIgnoreCase(message, pairStart, i, TOKEN_PREFIX)) {
        return new int[] {pairStart + TOKEN_PREFIX.length(), i};
      }
      pairStart = i + 1;
    }
    return null;
  }

  /** RFC 5801 saslname: {@code =2C} is ',' and {@code =3D} is '=' (hex in any case); any other '=' is invalid. */
  private static Optional<byte[]> decodeSaslName(byte[] message, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    int i = from;
    while (i < to) {
      byte b = message[i];
      if (b != '=') {
        out.write(b);
        i++;
        continue;
      }
      if (to - i < 3) {
        return Optional.empty();
      }
      if (message[i + 1] == '2' && (message[i + 2] == 'C' || message[i + 2] == 'c')) {
        out.write(',');
      } else if (message[i + 1] == '3' && (message[i + 2] == 'D' || message[i + 2] == 'd')) {
        out.write('=');
      } else {
        return Optional.empty();
      }
      i += 3;
    }
    return Optional.of(out.toByteArray());
  }
}
