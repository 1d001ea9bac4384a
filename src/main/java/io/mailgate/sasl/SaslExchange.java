package io.mailgate.sasl;

import java.util.Optional;

/**
 * One SASL authentication attempt, independent of the protocol that frames it. Single use: once it returns
 * {@link SaslStep.Done} or {@link SaslStep.Invalid}, a new attempt needs a new exchange.
 */
public interface SaslExchange {

  /** The mechanism this exchange runs. */
  Mechanism mechanism();

  /**
   * Starts the exchange after {@code AUTH <mech> [initial]}.
   *
   * @param initialResponse the base64 argument text exactly as sent (RFC 4954 / RFC 4959 initial response), if any
   * @throws IllegalStateException if the exchange was already started
   */
  SaslStep start(Optional<String> initialResponse);

  /**
   * Feeds the client's reply to the last {@link SaslStep.Challenge}.
   *
   * @param response the first space-separated argument of the continuation line; {@code ""} for an empty line
   * @throws IllegalStateException if no challenge is outstanding (not started, or already finished)
   */
  SaslStep next(String response);
}
