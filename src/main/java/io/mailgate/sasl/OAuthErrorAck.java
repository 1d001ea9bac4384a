package io.mailgate.sasl;

import java.util.List;

/**
 * Recognises the client's acknowledgement of an OAuth error challenge (the {@code Auth-Error-SASL} value nginx relays
 * on failure), after which the pending failure reply is sent.
 */
public final class OAuthErrorAck {

  /** RFC 7628 §3.2.2: the client answers the error challenge with the single byte %x01, base64 {@code AQ==}. */
  private static final String OAUTHBEARER_DUMMY = "AQ==";

  private OAuthErrorAck() {}

  /**
   * Whether the client's continuation-line args acknowledge an RFC 7628 §3.2.2 error challenge.
   * OAUTHBEARER: exactly one arg whose first 4 characters are {@code AQ==} (freenginx compares only those, so
   * {@code AQ==junk} passes; with {@code fastmailCompat} an empty line is also accepted). XOAUTH2: exactly one arg,
   * empty (Google's protocol). Other mechanisms never get an error challenge, so nothing acknowledges one.
   *
   * @param args the continuation line split on spaces; an empty line is one empty argument
   */
  public static boolean accepts(Mechanism mechanism, List<String> args, boolean fastmailCompat) {
    if (args.size() != 1) {
      return false;
    }
    String arg = args.get(0);
    if (mechanism == Mechanism.OAUTHBEARER) {
      return arg.startsWith(OAUTHBEARER_DUMMY) || (fastmailCompat && arg.isEmpty());
    }
    if (mechanism == Mechanism.XOAUTH2) {
      return arg.isEmpty();
    }
    return false;
  }
}
