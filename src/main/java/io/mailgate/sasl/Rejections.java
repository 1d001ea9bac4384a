package io.mailgate.sasl;

/** nginx's info-level log texts for malformed SASL input; fixed words only, never client bytes. */
final class Rejections {

  private Rejections() {}

  /** {@code client sent invalid base64 encoding in AUTH <mech> command}. */
  static SaslStep.Invalid base64(Mechanism mechanism) {
    return of("base64 encoding", mechanism);
  }

  /** {@code client sent invalid login in AUTH <mech> command}. */
  static SaslStep.Invalid login(Mechanism mechanism) {
    return of("login", mechanism);
  }

  /** {@code client sent invalid password in AUTH <mech> command}. */
  static SaslStep.Invalid password(Mechanism mechanism) {
    return of("password", mechanism);
  }

  /** {@code client sent invalid token in AUTH <mech> command}, for the OAuth mechanisms. */
  static SaslStep.Invalid token(Mechanism mechanism) {
    return of("token", mechanism);
  }

  /** {@code client sent invalid CRAM-MD5 hash in AUTH CRAM-MD5 command}. */
  static SaslStep.Invalid cramMd5Hash() {
    return of("CRAM-MD5 hash", Mechanism.CRAM_MD5);
  }

  /** nginx's parser refuses an initial response for mechanisms that must see a challenge first (CRAM-MD5). */
  static SaslStep.Invalid unexpectedInitialResponse(Mechanism mechanism) {
    return new SaslStep.Invalid("client sent initial response in AUTH " + mechanism.saslName() + " command");
  }

  private static SaslStep.Invalid of(String what, Mechanism mechanism) {
    return new SaslStep.Invalid("client sent invalid " + what + " in AUTH " + mechanism.saslName() + " command");
  }
}
