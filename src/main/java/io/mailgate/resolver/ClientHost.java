package io.mailgate.resolver;

import java.util.Optional;

/**
 * The client's host name as SMTP reports it ({@code Client-Host}, XCLIENT {@code NAME=}): a name whose forward lookup
 * gives the client's address back, or nginx's {@link #UNAVAILABLE} / {@link #TEMPUNAVAIL} placeholders (the values
 * Postfix's XCLIENT_README defines for an unknown name and a temporary lookup failure).
 *
 * @param name the confirmed host name or a placeholder
 * @param failure what went wrong, for the error log, when a lookup failed (a mismatch is no failure)
 */
public record ClientHost(String name, Optional<Failure> failure) {

  /** No name: NXDOMAIN, no PTR record, or the name does not lead back to the client's address. */
  public static final String UNAVAILABLE = "[UNAVAILABLE]";
  /** The lookup failed for now: SERVFAIL, timeout, refused, an unusable answer. */
  public static final String TEMPUNAVAIL = "[TEMPUNAVAIL]";

  /**
   * A failed lookup, worded as nginx logs it.
   *
   * @param action the session's action meanwhile ({@code in resolving client address} / {@code ... hostname})
   * @param message e.g. {@code 127.0.0.1 could not be resolved (3: Host not found)}
   */
  public record Failure(String action, String message) {}

  /** A confirmed name. */
  static ClientHost confirmed(String name) {
    return new ClientHost(name, Optional.empty());
  }

  /** {@link #UNAVAILABLE} without anything to log (the name did not match). */
  static ClientHost unavailable() {
    return new ClientHost(UNAVAILABLE, Optional.empty());
  }
}
