package io.mailgate.sasl;

import java.util.Optional;

/**
 * draft-murchison-sasl-login: the server prompts {@code Username:} then {@code Password:} (nginx's fixed base64
 * prompts); an initial response is the user name.
 */
final class LoginExchange extends AbstractExchange {

  /** base64("Username:"). */
  static final String USERNAME_PROMPT = "VXNlcm5hbWU6";
  /** base64("Password:"). */
  static final String PASSWORD_PROMPT = "UGFzc3dvcmQ6";

  private byte[] login;

  LoginExchange() {
    super(Mechanism.LOGIN);
  }

  @Override
  SaslStep onStart(Optional<String> initialResponse) {
    return initialResponse.isPresent()
        ? acceptUsername(initialResponse.get())
        : new SaslStep.Challenge(USERNAME_PROMPT);
  }

  @Override
  SaslStep onResponse(String response) {
    return login == null ? acceptUsername(response) : acceptPassword(response);
  }

  private SaslStep acceptUsername(String response) {
    Optional<byte[]> decoded = LenientBase64.decode(response);
    if (decoded.isEmpty()) {
      return Rejections.base64(Mechanism.LOGIN);
    }
    if (SaslBytes.hasLineBreakOrNul(decoded.get())) {
      return Rejections.login(Mechanism.LOGIN);
    }
    login = decoded.get();
    return new SaslStep.Challenge(PASSWORD_PROMPT);
  }

  private SaslStep acceptPassword(String response) {
    Optional<byte[]> decoded = LenientBase64.decode(response);
    if (decoded.isEmpty()) {
      return Rejections.base64(Mechanism.LOGIN);
    }
    byte[] password = decoded.get();
    try {
      if (SaslBytes.hasLineBreakOrNul(password)) {
        return Rejections.password(Mechanism.LOGIN);
      }
      return new SaslStep.Done(Credentials.of(Mechanism.LOGIN, login, password));
    } finally {
      SaslBytes.wipe(password);
    }
  }
}
