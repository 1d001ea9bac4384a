package io.mailgate.interop;

/**
 * The mailbox every setup serves, and its secrets as the setup knows them.
 *
 * @param token a bearer token the setup accepts for {@link #user} (empty when it takes no tokens)
 * @param expiredToken a token for {@link #user} that has expired (JWT {@code exp} in the past, or inactive at
 *     introspection)
 */
record Account(String user, String password, String token, String expiredToken) {

  static final String USER = "test@example.com";
  static final String PASSWORD = "secret";
  static final String WRONG_PASSWORD = "not-the-password";

  /** The mailbox with a password only. */
  static Account passwordOnly() {
    return new Account(USER, PASSWORD, "", "");
  }
}
