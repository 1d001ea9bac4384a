package io.mailgate.sasl;

import java.util.Objects;

/** Entry point of the protocol-neutral SASL layer shared by IMAP AUTHENTICATE, POP3 AUTH and SMTP AUTH. */
public final class Sasl {

  private Sasl() {}

  /**
   * A fresh, single-use exchange for {@code mechanism}.
   *
   * @throws IllegalArgumentException for APOP and NONE, which are not SASL mechanisms
   */
  public static SaslExchange start(Mechanism mechanism, SaslContext context) {
    Objects.requireNonNull(mechanism, "mechanism");
    Objects.requireNonNull(context, "context");
    switch (mechanism) {
      case PLAIN:
        // RFC 4422 §5: without an initial response the server sends an empty challenge.
        return new SingleMessageExchange(mechanism, "", new PlainParser());
      case LOGIN:
        return new LoginExchange();
      case CRAM_MD5:
        return new CramMd5Exchange(context.salt());
      case EXTERNAL:
        // nginx prompts "Username:" here rather than sending an empty challenge.
        return new SingleMessageExchange(mechanism, LoginExchange.USERNAME_PROMPT, new ExternalParser());
      case XOAUTH2:
        return new SingleMessageExchange(mechanism, "", new XOAuth2Parser());
      case OAUTHBEARER:
        return new SingleMessageExchange(mechanism, "", new OAuthBearerParser(context.fastmailCompat()));
      default:
        throw new IllegalArgumentException(mechanism + " is not a SASL mechanism");
    }
  }
}
