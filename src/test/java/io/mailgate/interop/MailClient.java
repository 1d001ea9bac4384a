package io.mailgate.interop;

import java.util.Optional;
import java.util.Set;

/**
 * A real mail client driven non-interactively: one implementation per client program or library. A driver only runs
 * the client and reports what the client reported; the matrix decides whether that was right.
 */
interface MailClient {

  /** The client's name in the table. */
  String name();

  /** The client's version, asked from the client itself (e.g. {@code curl --version}). */
  String version() throws Exception;

  /** Why the client cannot run here (not installed), if it cannot. */
  Optional<String> missing();

  /** The mechanisms the client can log in with on {@code protocol}; empty when it does not speak it. */
  Set<Mechanism> mechanisms(Protocol protocol);

  /**
   * Why a case is left out although the client speaks its protocol and mechanism: the client needs a terminal there,
   * or has a defect of its own that decides the case whatever the server does. The case is then a skip with this
   * reason, never a pass.
   */
  default Optional<String> skipped(Protocol protocol, Mechanism mechanism, Scenario scenario) {
    return Optional.empty();
  }

  /** What the client does with TLS on {@code listener}. */
  default Transport transport(Listener listener) {
    return Transport.leastFor(listener);
  }

  /** Whether the client shows the RFC 7628 error challenge of a refused {@code mechanism} login. */
  boolean showsErrorChallenge(Mechanism mechanism);

  /** IMAP or POP3: log in, list, fetch message 1, log out. */
  Outcome read(Attempt attempt) throws Exception;

  /** SMTP: log in (unless {@link Mechanism#NONE}), send {@code message} from {@code from} to {@code rcpt}, quit. */
  Outcome send(Attempt attempt, String from, String rcpt, byte[] message) throws Exception;
}
