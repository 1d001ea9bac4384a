package io.mailgate.session;

import java.util.Locale;

/** How one login attempt ended, for the login metrics and the access log. */
public enum LoginOutcome {
  /** The auth service said yes and the backend took the login: the session relays. */
  OK,
  /** The auth service said no (wrong password, unknown user, invalid token). */
  BAD_CREDENTIALS,
  /** The auth service could not be asked or answered nonsense. */
  AUTH_SERVICE_ERROR,
  /** The auth service said yes but the backend could not be reached or refused the login. */
  BACKEND_FAILURE,
  /**
   * Refused for now: by the login throttle before the auth service was asked, or by {@code limit_sessions_per_client}
   * before the backend was.
   */
  THROTTLED;

  /** The label value: {@code ok}, {@code bad_credentials}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
