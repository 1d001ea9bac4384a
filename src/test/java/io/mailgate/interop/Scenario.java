package io.mailgate.interop;

/** What a case of the matrix checks. */
enum Scenario {
  /** Log in, list (LIST or STAT/LIST), fetch message 1 and compare it byte for byte with what was stored, log out. */
  READ("read"),
  /** Log in, send a message, find it delivered in the mailbox with the same bytes, log out. */
  SEND("send"),
  /** The right user with a wrong password: refused, and nothing read or sent. */
  WRONG_PASSWORD("wrong-password"),
  /** An expired bearer token: refused, with the RFC 7628 error challenge where the client shows it. */
  EXPIRED_TOKEN("expired-token");

  private final String label;

  Scenario(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }
}
