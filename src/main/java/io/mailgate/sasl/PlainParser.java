package io.mailgate.sasl;

/**
 * RFC 4616 PLAIN: {@code [authzid] NUL authcid NUL passwd}. Like nginx, the authzid is ignored, the login is the
 * authcid and the password is everything after the second NUL.
 */
final class PlainParser implements MessageParser {

  @Override
  public SaslStep parse(byte[] message) {
    int firstNul = SaslBytes.indexOf(message, SaslBytes.NUL, 0, message.length);
    // nginx also refuses a first NUL in last position: there is then nothing where the authcid should start.
    if (firstNul < 0 || firstNul == message.length - 1) {
      return Rejections.login(Mechanism.PLAIN);
    }
    int secondNul = SaslBytes.indexOf(message, SaslBytes.NUL, firstNul + 1, message.length);
    if (secondNul < 0) {
      return Rejections.password(Mechanism.PLAIN);
    }
    byte[] login = SaslBytes.slice(message, firstNul + 1, secondNul);
    byte[] password = SaslBytes.slice(message, secondNul + 1, message.length);
    try {
      if (SaslBytes.hasLineBreakOrNul(login)) {
        return Rejections.login(Mechanism.PLAIN);
      }
      if (SaslBytes.hasLineBreakOrNul(password)) {
        return Rejections.password(Mechanism.PLAIN);
      }
      return new SaslStep.Done(Credentials.of(Mechanism.PLAIN, login, password));
    } finally {
      SaslBytes.wipe(password);
    }
  }
}
