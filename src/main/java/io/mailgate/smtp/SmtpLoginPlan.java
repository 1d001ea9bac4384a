package io.mailgate.smtp;

import io.mailgate.log.SessionLog;
import java.util.Optional;
import java.util.Set;

/**
 * What the backend login needs to know about the client session, taken when the auth service said yes.
 *
 * @param serverName {@code server_name}, for our own EHLO/HELO
 * @param xclient {@code xclient}: send {@code XCLIENT} after our EHLO
 * @param proxySmtpAuth {@code proxy_smtp_auth}: log in with {@code AUTH PLAIN} instead of {@code LOGIN=}
 * @param client what XCLIENT tells the backend about the client: its address, port and name ({@code [UNAVAILABLE]}
 *     without a {@code resolver}), its HELO, and the address it connected to
 * @param clientHelo the client's own {@code HELO x} / {@code EHLO x} line (no CRLF), if it sent one
 * @param clientEsmtp the client said EHLO, so it saw (and may rely on) the {@code smtp_capabilities}
 * @param envelope for {@code smtp_auth none}: the client's MAIL FROM and RCPT TO lines to replay
 * @param promised the extension keywords of {@code smtp_capabilities}
 * @param log the session's log, for the promised-extension warning
 */
record SmtpLoginPlan(
    String serverName,
    boolean xclient,
    boolean proxySmtpAuth,
    SmtpXclient client,
    Optional<byte[]> clientHelo,
    boolean clientEsmtp,
    Optional<Envelope> envelope,
    Set<String> promised,
    SessionLog log) {

  /** The {@code smtp_auth none} transaction start the client already sent: raw lines without CRLF. */
  record Envelope(byte[] mailFrom, byte[] rcptTo) {}
}
