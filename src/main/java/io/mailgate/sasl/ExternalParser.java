package io.mailgate.sasl;

/** RFC 4422 appendix A EXTERNAL: the message is the authorization identity (possibly empty); there is no secret. */
final class ExternalParser implements MessageParser {

  private static final byte[] NO_SECRET = new byte[0];

  @Override
  public SaslStep parse(byte[] message) {
    if (SaslBytes.hasLineBreakOrNul(message)) {
      return Rejections.login(Mechanism.EXTERNAL);
    }
    return new SaslStep.Done(Credentials.of(Mechanism.EXTERNAL, message, NO_SECRET));
  }
}
