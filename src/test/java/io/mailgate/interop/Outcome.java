package io.mailgate.interop;

import java.util.Optional;

/**
 * What a client session achieved, as far as the client itself reported it.
 *
 * @param loggedIn the server accepted the login
 * @param listing what the client listed (IMAP LIST, POP3 STAT/LIST), as text
 * @param fetched the message the client fetched, byte for byte as the client handed it over; null if none
 * @param sent the server accepted the message (SMTP)
 * @param errorChallenge the RFC 7628 §3.2.2 error challenge the client saw, decoded, where it shows one
 * @param transcript what the client printed, for failure messages
 */
record Outcome(boolean loggedIn, String listing, byte[] fetched, boolean sent, Optional<String> errorChallenge,
    String transcript) {

  /** A session that went no further than a refused login. */
  static Outcome refused(Optional<String> errorChallenge, String transcript) {
    return new Outcome(false, "", null, false, errorChallenge, transcript);
  }
}
