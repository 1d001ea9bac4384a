package io.mailgate.imap;

import io.mailgate.log.Sanitize;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The ID list mailgate sends a backend with {@code proxy_client_identity on}: the client's own ID fields first, then
 * who the client is, in the fields Dovecot's imap-login reads from a peer in {@code login_trusted_networks}
 * ({@code src/imap-login/imap-login-cmd-id.c}): {@code x-originating-ip}/{@code -port} (the real client),
 * {@code x-connected-ip}/{@code -port} (the address it connected to) and {@code x-session-id} (so the backend's log
 * names mailgate's session). A client on a unix socket has no address, so its address fields are left out.
 *
 * <p>The client's fields are filtered:
 * <ul>
 *   <li>names a trusted peer's ID may set on the backend are dropped, so a client cannot choose its own address or
 *       session: Dovecot reserves {@code x-originating-*}, {@code x-connected-*}, {@code x-proxy-ttl},
 *       {@code x-session-id}/{@code x-session-ext-id} and {@code x-forward-*}, matched without case; whole prefixes
 *       are dropped here;</li>
 *   <li>a pair whose field or value cannot be a quoted string (CR, LF, NUL, 8-bit) is dropped: the command must be
 *       one line without literals, as the backend's first ID is the only one Dovecot honours;</li>
 *   <li>RFC 2971 §3.3 allows 30 pairs, and backends read pre-login lines into small buffers (nginx and mailgate 4 KB
 *       by default, Dovecot 8 KB), so client pairs beyond {@link #MAX_PAIRS} or {@link #MAX_LINE_OCTETS} are dropped.
 *       mailgate's own fields always fit.</li>
 * </ul>
 * Each drop is logged at debug level, without the value.
 */
final class ImapForwardedId {

  /** RFC 2971 §3.3: at most 30 pairs, mailgate's own included. */
  static final int MAX_PAIRS = ImapIdList.MAX_PAIRS;
  /** The longest ID command line sent, tag and CRLF included: fits nginx's and mailgate's default 4 KB buffer. */
  static final int MAX_LINE_OCTETS = 4000;
  /** Prefixes (and names) of the fields only mailgate may set, lower-case. */
  private static final List<String> RESERVED_PREFIXES =
      List.of("x-originating-", "x-connected-", "x-session-", "x-forward-", "x-proxy-ttl");

  private ImapForwardedId() {}

  /**
   * The list for the backend.
   *
   * @param client the client's own ID (empty when it sent none)
   * @param clientAddress the real client (after a trusted PROXY header); a non-IP address adds no field
   * @param connectedAddress the address the client connected to; a non-IP address adds no field
   * @param sessionId mailgate's session id, as in its access and error logs
   * @param commandOverhead octets of the command around the list ({@code "mgI ID "} and CRLF)
   * @param debug where dropped fields are reported
   */
  static ImapIdList of(ImapIdList client, SocketAddress clientAddress, SocketAddress connectedAddress,
      String sessionId, int commandOverhead, Consumer<String> debug) {
    List<ImapIdList.Field> own = new ArrayList<>(5);
    addAddress(own, "x-originating", clientAddress);
    addAddress(own, "x-connected", connectedAddress);
    own.add(new ImapIdList.Field("x-session-id", sessionId));

    int octets = commandOverhead + new ImapIdList(own).wire().length();
    List<ImapIdList.Field> fields = new ArrayList<>(MAX_PAIRS);
    for (ImapIdList.Field field : client.fields()) {
      String drop = dropReason(field);
      if (drop == null && fields.size() + own.size() >= MAX_PAIRS) {
        drop = "more than " + MAX_PAIRS + " ID fields in all";
      }
      int size = drop == null ? pairOctets(field) : 0;
      if (drop == null && octets + size > MAX_LINE_OCTETS) {
        drop = "the ID command would exceed " + MAX_LINE_OCTETS + " octets";
      }
      if (drop != null) {
        debug.accept("not forwarding the client's ID field \"" + Sanitize.forLog(field.name(), 40) + "\": " + drop);
        continue;
      }
      fields.add(field);
      octets += size;
    }
    fields.addAll(own);
    return new ImapIdList(fields);
  }

  private static String dropReason(ImapIdList.Field field) {
    String name = field.name().toLowerCase(Locale.ROOT);
    for (String reserved : RESERVED_PREFIXES) {
      if (name.startsWith(reserved)) {
        return "only mailgate sets it";
      }
    }
    if (!ImapQuotedString.representable(field.name())
        || field.value() != null && !ImapQuotedString.representable(field.value())) {
      return "CR, LF, NUL or 8-bit octets do not fit in a quoted string";
    }
    return null;
  }

  /** The pair's octets in the list, with the two spaces before and between its strings. */
  private static int pairOctets(ImapIdList.Field field) {
    return 2 + ImapQuotedString.quote(field.name()).length() + ImapQuotedString.nstring(field.value()).length();
  }

  /** RFC 5952 text (as {@code Client-IP}), which Dovecot's {@code net_addr2ip} reads. */
  private static void addAddress(List<ImapIdList.Field> fields, String prefix, SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      fields.add(new ImapIdList.Field(prefix + "-ip", NetUtil.toAddressString(inet.getAddress())));
      fields.add(new ImapIdList.Field(prefix + "-port", Integer.toString(inet.getPort())));
    }
  }
}
