package io.mailgate.pop3;

import io.mailgate.session.ClientSession;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The {@code XCLIENT} command that names the real client to a POP3 backend ({@code proxy_client_identity on}), in the
 * form Dovecot's pop3-login takes from a {@code login_trusted_networks} peer and sends itself when it proxies
 * (Dovecot 2.3 {@code pop3-login/client.c}, {@code pop3-proxy.c}): {@code ADDR=} and {@code PORT=} the client's, so
 * the backend's log, {@code %{rip}} and per-IP limits see it rather than this proxy; {@code SESSION=} the id in
 * mailgate's logs, which Dovecot then logs as {@code session=<...>} so both sides' lines can be matched; {@code TTL=}
 * the proxy hops left. Dovecot splits the arguments at spaces and takes no xtext, so each value is a bare token.
 *
 * @param client the client's address; empty for a client on a unix socket, which has none to give (ADDR and PORT are
 *     then left out, and the backend keeps this proxy's address)
 * @param sessionId the session's 16-hex id
 */
record Pop3Xclient(Optional<InetSocketAddress> client, String sessionId) {

  /**
   * The hop count sent. Dovecot's login processes start with {@code LOGIN_PROXY_TTL} 5, send {@code TTL-1} to the next
   * hop and refuse to proxy on at 1 ("proxies appear to be looping"). mailgate takes no TTL from its clients, so it is
   * a first hop like a Dovecot proxy with the default, and sends the 4 that one would: a Dovecot director or proxy
   * behind it keeps the same depth it has behind Dovecot, and a loop back through mailgate still stops.
   */
  static final int TTL = 4;

  /** The client and id of {@code session}. */
  static Pop3Xclient of(ClientSession session) {
    Optional<InetSocketAddress> client = session.clientAddress() instanceof InetSocketAddress inet
        && inet.getAddress() != null ? Optional.of(inet) : Optional.empty();
    return new Pop3Xclient(client, session.record().id());
  }

  /** The command line, without CRLF. */
  String command() {
    StringBuilder line = new StringBuilder(96).append("XCLIENT");
    client.ifPresent(inet -> line.append(" ADDR=").append(NetUtil.toAddressString(inet.getAddress()))
        .append(" PORT=").append(inet.getPort()));
    return line.append(" SESSION=").append(sessionId).append(" TTL=").append(TTL).toString();
  }
}
