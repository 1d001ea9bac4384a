package io.mailgate.smtp;

import io.mailgate.codec.RequestDecoder;

/**
 * Turns the bytes an SMTP client sends before login into {@link SmtpRequest}s, with {@link SmtpCommandParser}'s strict
 * CRLF rules and limits. While a login runs, the client's pipelined input (RFC 2920) is held, not parsed, so it reaches
 * the backend unchanged and in order; that hold is bounded on its own ({@code pausedLimit}), apart from the line limit,
 * and past it reading stops instead of failing.
 */
final class SmtpCommandDecoder extends RequestDecoder<SmtpRequest> {

  /**
   * Creates a decoder in command mode.
   *
   * @param commandLimit longest command line, CRLF included ({@code smtp_client_buffer})
   * @param saslLineLimit longest AUTH line or SASL response line
   * @param pausedLimit bytes held during a login before reading stops
   */
  SmtpCommandDecoder(int commandLimit, int saslLineLimit, int pausedLimit) {
    super(new SmtpCommandParser(commandLimit, saslLineLimit), pausedLimit);
  }
}
