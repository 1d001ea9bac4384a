package io.mailgate.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * RFC 2195 CRAM-MD5: the server sends base64 of the session salt, the client answers {@code user SP digest}. As in
 * nginx, the digest is passed on as its 32 hex characters, for the auth service to verify against the salt.
 */
final class CramMd5Exchange extends AbstractExchange {

  private static final int DIGEST_HEX_LENGTH = 32;

  private final Supplier<String> saltSource;
  private String salt;

  CramMd5Exchange(Supplier<String> saltSource) {
    super(Mechanism.CRAM_MD5);
    this.saltSource = saltSource;
  }

  @Override
  SaslStep onStart(Optional<String> initialResponse) {
    // The client cannot answer a challenge it has not seen; nginx's AUTH parser refuses the argument.
    if (initialResponse.isPresent()) {
      return Rejections.unexpectedInitialResponse(Mechanism.CRAM_MD5);
    }
    salt = saltSource.get();
    return new SaslStep.Challenge(Base64.getEncoder().encodeToString(salt.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  SaslStep onResponse(String response) {
    Optional<byte[]> decoded = LenientBase64.decode(response);
    if (decoded.isEmpty()) {
      return Rejections.base64(Mechanism.CRAM_MD5);
    }
    byte[] message = decoded.get();
    // nginx splits at the first space; the user name therefore cannot contain one.
    int space = SaslBytes.indexOf(message, (byte) ' ', 0, message.length);
    if (space < 0 || message.length - space - 1 != DIGEST_HEX_LENGTH) {
      return Rejections.cramMd5Hash();
    }
    byte[] login = SaslBytes.slice(message, 0, space);
    byte[] digest = SaslBytes.slice(message, space + 1, message.length);
    if (SaslBytes.hasLineBreakOrNul(login)) {
      return Rejections.login(Mechanism.CRAM_MD5);
    }
    if (SaslBytes.hasLineBreakOrNul(digest)) {
      return Rejections.cramMd5Hash();
    }
    return new SaslStep.Done(new Credentials(Mechanism.CRAM_MD5, login, digest, Optional.of(salt)));
  }
}
