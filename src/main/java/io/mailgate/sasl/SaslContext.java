package io.mailgate.sasl;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Per-session inputs a mechanism needs.
 *
 * @param salt the session's CRAM-MD5/APOP challenge {@code <random.unixtime@server_name>} without CRLF; the session
 *     generates it lazily, so it is only asked for when CRAM-MD5 actually starts
 * @param fastmailCompat Fastmail's original OAuth behaviour ({@code oauth_fastmail_compat on}): OAUTHBEARER also
 *     accepts {@code user=} as the authzid field and an empty line as the error acknowledgement
 */
public record SaslContext(Supplier<String> salt, boolean fastmailCompat) {

  /** Rejects a null salt supplier: CRAM-MD5 would otherwise fail late, on the event loop. */
  public SaslContext {
    Objects.requireNonNull(salt, "salt");
  }
}
