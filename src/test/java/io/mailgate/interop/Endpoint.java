package io.mailgate.interop;

import java.nio.file.Path;
import java.util.Set;

/**
 * One mailgate listener of a server setup, as a client sees it.
 *
 * @param label short name for the table, e.g. {@code imap} or {@code imap-xoauth2}
 * @param mechanisms what the listener lets clients log in with (its {@code *_auth}), that the setup can check
 * @param caCertificate the CA that signed mailgate's certificate, for clients that verify it
 */
record Endpoint(String label, Protocol protocol, int port, Listener listener, Set<Mechanism> mechanisms,
    Path caCertificate) {

  /** Host clients connect to; the certificate names it as an IP address. */
  static final String HOST = "127.0.0.1";
}
