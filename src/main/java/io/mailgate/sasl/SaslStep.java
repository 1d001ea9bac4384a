package io.mailgate.sasl;

import java.util.Objects;

/** What a protocol handler must do next in a {@link SaslExchange}. */
public sealed interface SaslStep {

  /**
   * Send a server challenge and wait for the client's continuation line.
   *
   * @param payload base64 text to send after {@code "+ "} (IMAP, POP3) or {@code "334 "} (SMTP); {@code ""} is the
   *     empty challenge
   */
  record Challenge(String payload) implements SaslStep {

    /** Rejects a null payload. */
    public Challenge {
      Objects.requireNonNull(payload, "payload");
    }
  }

  /**
   * The exchange succeeded syntactically; the credentials go to the auth service.
   *
   * @param credentials what the client presented
   */
  record Done(Credentials credentials) implements SaslStep {

    /** Rejects null credentials. */
    public Done {
      Objects.requireNonNull(credentials, "credentials");
    }
  }

  /**
   * The client's input was malformed: reply with the protocol's invalid-command response.
   *
   * @param logMessage nginx's info-level text, e.g. {@code client sent invalid base64 encoding in AUTH PLAIN command};
   *     built from fixed strings only, so it never contains client secrets
   */
  record Invalid(String logMessage) implements SaslStep {

    /** Rejects a null message. */
    public Invalid {
      Objects.requireNonNull(logMessage, "logMessage");
    }
  }
}
