package io.mailgate.demo;

/** A command the demo store cannot parse; the session answers {@code BAD} with the message (never a credential). */
final class DemoSyntaxException extends Exception {

  DemoSyntaxException(String message) {
    super(message, null, false, false);
  }
}
