package io.mailgate.demo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What every connection of one demo store shares; all of it immutable.
 *
 * @param users user to plain-text password (demo only)
 * @param tokenCheck accepts bearer tokens for OAUTHBEARER and XOAUTH2; empty: those mechanisms are not offered
 * @param messages the INBOX every user sees
 * @param uidValidity the INBOX's UIDVALIDITY (RFC 3501 §2.3.1.1): the start time, so UIDs of another run never clash
 * @param internalDate every message's INTERNALDATE, formatted (RFC 3501 §9 {@code date-time})
 * @param idleTimeout a connection without traffic this long is closed (RFC 3501 §5.4 asks for at least 30 minutes
 *     of an authenticated client; 5 minutes is plenty for a demo and frees abandoned sessions sooner)
 */
record DemoStoreSettings(
    Map<String, String> users,
    Optional<Predicate<String>> tokenCheck,
    List<DemoMessage> messages,
    long uidValidity,
    String internalDate,
    Duration idleTimeout) {

  DemoStoreSettings {
    users = Map.copyOf(users);
    messages = List.copyOf(messages);
  }

  /** The capabilities announced in the greeting and by CAPABILITY. */
  String capabilities() {
    return "IMAP4rev1 LITERAL+ AUTH=PLAIN" + (tokenCheck.isPresent() ? " AUTH=OAUTHBEARER AUTH=XOAUTH2" : "");
  }
}
