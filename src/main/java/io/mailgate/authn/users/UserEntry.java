package io.mailgate.authn.users;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One line of the users file.
 *
 * @param user the login, matched exactly
 * @param hash the password hash (never logged: {@link #toString()} masks it)
 * @param backend where this user's mailbox lives, when the line says so
 */
public record UserEntry(String user, String hash, Optional<InetSocketAddress> backend) {

  /** Never prints the hash. */
  @Override
  public String toString() {
    return "UserEntry[user=" + user + ", hash=******" + backend.map(b -> ", backend=" + b).orElse("") + "]";
  }
}
