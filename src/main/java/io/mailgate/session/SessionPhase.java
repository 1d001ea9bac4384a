package io.mailgate.session;

import java.util.Locale;

/** Where a client session is in its life, for the session gauges and the connection limits. */
public enum SessionPhase {
  /** Accepted, waiting for (or reading) the client's login: the PROXY header, TLS, greeting, commands. */
  PRE_AUTH,
  /** A login is with the auth service or the backend. */
  AUTHENTICATING,
  /** Logged in: bytes flow between client and backend. */
  RELAYING;

  /** The label value: {@code pre_auth}, {@code authenticating}, {@code relaying}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
