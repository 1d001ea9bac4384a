package io.mailgate.sasl;

/** Turns one decoded client message into Done or Invalid; parses into locals only, so no state survives a failure. */
@FunctionalInterface
interface MessageParser {

  /** Parses {@code message}, which the caller wipes afterwards (results must copy what they keep). */
  SaslStep parse(byte[] message);
}
