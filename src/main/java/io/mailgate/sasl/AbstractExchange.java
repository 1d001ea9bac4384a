package io.mailgate.sasl;

import java.util.Objects;
import java.util.Optional;

/** Enforces the single-use life cycle of an exchange: start once, then answer challenges until Done or Invalid. */
abstract class AbstractExchange implements SaslExchange {

  private enum Phase { NOT_STARTED, AWAITING_RESPONSE, FINISHED }

  private final Mechanism mechanism;
  private Phase phase = Phase.NOT_STARTED;

  AbstractExchange(Mechanism mechanism) {
    this.mechanism = mechanism;
  }

  @Override
  public final Mechanism mechanism() {
    return mechanism;
  }

  @Override
  public final SaslStep start(Optional<String> initialResponse) {
    Objects.requireNonNull(initialResponse, "initialResponse");
    if (phase != Phase.NOT_STARTED) {
      throw new IllegalStateException("AUTH " + mechanism.saslName() + " exchange already started");
    }
    return advance(onStart(initialResponse));
  }

  @Override
  public final SaslStep next(String response) {
    Objects.requireNonNull(response, "response");
    if (phase != Phase.AWAITING_RESPONSE) {
      throw new IllegalStateException("AUTH " + mechanism.saslName() + " exchange has no outstanding challenge");
    }
    return advance(onResponse(response));
  }

  /** The first step, given the initial response if the client sent one. */
  abstract SaslStep onStart(Optional<String> initialResponse);

  /** The step after the client answered the last challenge. */
  abstract SaslStep onResponse(String response);

  private SaslStep advance(SaslStep step) {
    phase = step instanceof SaslStep.Challenge ? Phase.AWAITING_RESPONSE : Phase.FINISHED;
    return step;
  }
}
