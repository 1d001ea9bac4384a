package io.mailgate.accesslog;

import io.mailgate.sasl.Mechanism;
import io.mailgate.session.LoginOutcome;
import io.mailgate.session.SessionRecord;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What one access-log line says, copied from a closed {@link SessionRecord} on its event loop so that the writer
 * thread formats it without touching the record (which the loop owns). Holds no secret: the record has none.
 * Absent values are null.
 *
 * @param client {@code ip:port} ({@code [v6]:port}), or {@code unix:}
 * @param mechanism the {@code *_auth} word ({@code plain}, {@code cram-md5}, ...); IMAP LOGIN and POP3 USER/PASS are
 *     {@code plain}
 * @param outcome a {@link LoginOutcome#label()}, when a login attempt ended
 * @param bytesFromClient bytes relayed from the client to the backend (after the login)
 * @param bytesToClient bytes relayed from the backend to the client
 */
public record AccessLogEntry(
    long startMillis,
    long endMillis,
    String id,
    String protocol,
    String listener,
    String client,
    String tlsProtocol,
    String tlsCipher,
    String user,
    String mechanism,
    String outcome,
    String backend,
    long bytesFromClient,
    long bytesToClient,
    long durationMillis,
    String closeReason) {

  /** The entry for {@code record}, now (its end). */
  public static AccessLogEntry of(SessionRecord record) {
    long durationMillis = record.elapsedNanos() / 1_000_000;
    return new AccessLogEntry(
        record.startMillis(),
        record.startMillis() + durationMillis,
        record.id(),
        record.protocol(),
        record.listener(),
        address(record.client()),
        record.tlsProtocol().orElse(null),
        record.tlsCipher().orElse(null),
        record.user().orElse(null),
        record.mechanism().map(Mechanism::directiveName).orElse(null),
        record.outcome().map(LoginOutcome::label).orElse(null),
        record.backend().orElse(null),
        record.bytesFromClient(),
        record.bytesFromBackend(),
        durationMillis,
        record.closeReason().orElse(null));
  }

  /** nginx's way of printing a peer: {@code 127.0.0.1:5000}, {@code [::1]:5000}; a Unix socket is {@code unix:}. */
  static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      String host = NetUtil.toAddressString(inet.getAddress());
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return address == null ? null : "unix:";
  }
}
