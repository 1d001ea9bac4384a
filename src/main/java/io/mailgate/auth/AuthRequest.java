package io.mailgate.auth;

import io.mailgate.sasl.Credentials;
import java.util.List;
import java.util.Optional;

/**
 * One question to the auth service: may this client log in, and where does its mailbox live.
 *
 * @param credentials what the client sent (method, login, secret, salt)
 * @param protocol {@code imap}, {@code pop3} or {@code smtp} ({@code Auth-Protocol})
 * @param loginAttempt 1, 2, ... per AUTH/LOGIN command in the session ({@code Auth-Login-Attempt})
 * @param clientIp the client's address as text ({@code Client-IP})
 * @param clientHost the client's host name when known ({@code Client-Host}, SMTP only)
 * @param protocolHeaders headers the protocol or the TLS layer adds, in order (e.g. {@code Auth-SMTP-Helo},
 *     {@code Auth-SSL}); names and values are already validated, values are sent verbatim
 * @param sessionId the session's id, sent as {@link #SESSION_ID_HEADER} so that the auth service's logs can be joined
 *     with mailgate's access and error logs; empty where no session asks (tests, tools)
 */
public record AuthRequest(
    Credentials credentials,
    String protocol,
    int loginAttempt,
    String clientIp,
    Optional<String> clientHost,
    List<Header> protocolHeaders,
    Optional<String> sessionId) {

  /** mailgate's own request header (not nginx's): the session id of the access log and the error-log lines. */
  public static final String SESSION_ID_HEADER = "X-Mailgate-Session-Id";

  public AuthRequest {
    protocolHeaders = List.copyOf(protocolHeaders);
  }

  /** A request that names no session. */
  public AuthRequest(Credentials credentials, String protocol, int loginAttempt, String clientIp,
      Optional<String> clientHost, List<Header> protocolHeaders) {
    this(credentials, protocol, loginAttempt, clientIp, clientHost, protocolHeaders, Optional.empty());
  }

  /** A request header: name and value. */
  public record Header(String name, String value) {}
}
