package io.mailgate.sasl;

import java.util.Optional;

/**
 * A mechanism whose client sends everything in one message (PLAIN, EXTERNAL, XOAUTH2, OAUTHBEARER): either as the
 * initial response, or after one server challenge.
 */
final class SingleMessageExchange extends AbstractExchange {

  private final String challenge;
  private final MessageParser parser;

  /**
   * @param challenge what to send when there is no initial response: {@code ""} for the RFC 4422 empty challenge,
   *     or nginx's {@code Username:} prompt for EXTERNAL
   */
  SingleMessageExchange(Mechanism mechanism, String challenge, MessageParser parser) {
    super(mechanism);
    this.challenge = challenge;
    this.parser = parser;
  }

  @Override
  SaslStep onStart(Optional<String> initialResponse) {
    return initialResponse.isPresent() ? onResponse(initialResponse.get()) : new SaslStep.Challenge(challenge);
  }

  @Override
  SaslStep onResponse(String response) {
    Optional<byte[]> decoded = LenientBase64.decode(response);
    if (decoded.isEmpty()) {
      return Rejections.base64(mechanism());
    }
    byte[] message = decoded.get();
    try {
      return parser.parse(message);
    } finally {
      SaslBytes.wipe(message);
    }
  }
}
