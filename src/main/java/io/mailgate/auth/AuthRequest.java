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
 */
public record AuthRequest(
    Credentials credentials,
    String protocol,
    int loginAttempt,
    String clientIp,
    Optional<String> clientHost,
    List<Header> protocolHeaders) {

  public AuthRequest {
    protocolHeaders = List.copyOf(protocolHeaders);
  }

  /** A request header: name and value. */
  public record Header(String name, String value) {}
}
