package io.mailgate.sasl;

/**
 * Google's XOAUTH2 ({@code user=<user>^Aauth=Bearer <token>^A^A}, developers.google.com/gmail/imap/xoauth2-protocol),
 * parsed as nginx does: split at the first ^A; the token is everything between {@code auth=Bearer } and the final
 * ^A^A, so it may itself contain ^A. The user may be empty.
 */
final class XOAuth2Parser implements MessageParser {

  private static final String USER_PREFIX = "user=";
  private static final String TOKEN_PREFIX = "auth=Bearer ";
  private static final int TRAILER_LENGTH = 2;

  @Override
  public SaslStep parse(byte[] message) {
    int split = SaslBytes.indexOf(message, SaslBytes.CTRL_A, 0, message.length);
    if (split < 0 || !SaslBytes.startsWithIgnoreCase(message, 0, split, USER_PREFIX)) {
      return Rejections.login(Mechanism.XOAUTH2);
    }
    int tokenStart = split + 1 + TOKEN_PREFIX.length();
    int tokenEnd = message.length - TRAILER_LENGTH;
    if (!SaslBytes.startsWithIgnoreCase(message, split + 1, message.length, TOKEN_PREFIX)
        || tokenEnd < tokenStart
        || message[tokenEnd] != SaslBytes.CTRL_A
        || message[tokenEnd + 1] != SaslBytes.CTRL_A) {
      return Rejections.token(Mechanism.XOAUTH2);
    }
    byte[] login = SaslBytes.slice(message, USER_PREFIX.length(), split);
    byte[] token = SaslBytes.slice(message, tokenStart, tokenEnd);
    try {
      if (SaslBytes.hasLineBreakOrNul(login)) {
        return Rejections.login(Mechanism.XOAUTH2);
      }
      if (SaslBytes.hasLineBreakOrNul(token)) {
        return Rejections.token(Mechanism.XOAUTH2);
      }
      return new SaslStep.Done(Credentials.of(Mechanism.XOAUTH2, login, token));
    } finally {
      SaslBytes.wipe(token);
    }
  }
}
