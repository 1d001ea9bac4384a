package io.mailgate.interop;

import java.util.List;

/**
 * A server side of the matrix: real servers (Dovecot, Postfix) started privately on loopback, and mailgate in front of
 * them configured the way that deployment needs. Closing it stops everything it started.
 */
interface Setup extends AutoCloseable {

  /** The setup's name in the table, e.g. {@code dovecot/master-user}. */
  String name();

  /** The servers' names and versions, asked from the servers' own binaries. */
  String versions() throws Exception;

  /** The mailgate listeners clients use. */
  List<Endpoint> endpoints();

  /** The mailbox and its secrets. */
  Account account();

  /** For IMAP and POP3 endpoints: message 1 of INBOX, as stored (CRLF line ends, as IMAP and POP3 serve it). */
  byte[] storedMessage();

  /**
   * For SMTP endpoints: waits for the message carrying {@code messageId} (e.g. {@code <x@y>}) to be delivered, and
   * returns the delivered file's bytes.
   */
  byte[] awaitDelivery(String messageId) throws Exception;

  /** Checks of the setup's own after a session that logged in (e.g. that the backend saw the client's identity). */
  default void checkLoggedIn(Attempt attempt) throws Exception {}

  /** The servers' logs, for failure messages. */
  String logs();
}
