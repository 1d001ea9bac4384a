package io.mailgate.resolver;

import java.util.List;

/** What one DNS question came to: the records asked for, a CNAME to follow, or a failure. */
sealed interface Reply permits Reply.Records, Reply.Alias, Reply.Failure {

  /** RFC 1035 §4.1.1 RCODE 3: the name does not exist. */
  int NXDOMAIN = 3;
  /** nginx's NGX_RESOLVE_TIMEDOUT (ETIMEDOUT). */
  int TIMEDOUT = 110;
  /** An answer nginx would drop as malformed or unexpected (and then time out waiting for a better one). */
  int INVALID = -1;

  /**
   * The records of the type asked for, at the end of any CNAME chain.
   *
   * @param values host names (PTR) or addresses as RFC 5952 text (A, AAAA); never empty
   * @param ttlSeconds the smallest TTL along the chain
   */
  record Records(List<String> values, long ttlSeconds) implements Reply {
    public Records {
      values = List.copyOf(values);
    }
  }

  /**
   * The answer ends in a CNAME whose target has no record in it: ask again for {@code target}.
   *
   * @param target the name to ask about (trailing dot included)
   */
  record Alias(String target) implements Reply {}

  /**
   * No records.
   *
   * @param code the RCODE (NODATA counts as {@link #NXDOMAIN}, as in nginx), {@link #TIMEDOUT} or {@link #INVALID}
   * @param text for the log
   */
  record Failure(int code, String text) implements Reply {

    /** nginx caches DNS error answers; it does not cache timeouts or answers it could not use. */
    boolean cacheable() {
      return code > 0 && code != TIMEDOUT;
    }

    /** NXDOMAIN means there is no name; anything else may pass. */
    boolean permanent() {
      return code == NXDOMAIN;
    }

    /** nginx's wording: {@code (3: Host not found)}. */
    String describe() {
      return code == INVALID ? "(" + text + ")" : "(" + code + ": " + text + ")";
    }
  }
}
