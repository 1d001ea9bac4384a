package io.mailgate.imap;

import io.mailgate.codec.RequestDecoder;
import java.util.Set;

/**
 * Turns the bytes an IMAP client sends before login into {@link ImapRequest}s (nginx's
 * {@code ngx_mail_imap_parse_command}, with hardening).
 *
 * <p>Grammar: {@code tag SP+ command [SP+ argument]* (CRLF | LF)}. A tag is 1 to 32 of {@code [A-Za-z0-9-._]}; a
 * command is letters only, matched case-insensitively against the known commands. An argument is an atom (any bytes
 * but space, CR and LF), a quoted string (backslash escapes the next byte) or a literal {@code {n}} / {@code {n+}}
 * at the end of a line (RFC 3501 §4.3, RFC 7888). nginx allows three arguments; ID (RFC 2971) may have 64, and the
 * parentheses of its one flat list are arguments of their own ({@code (}, field, value, ..., {@code )}); a nested or
 * unbalanced list, or anything after it, makes the line invalid. Differences from nginx, all on input nginx accepts by
 * accident:
 * <ul>
 *   <li>a NUL byte anywhere, a CR not followed by LF, or a CR/LF inside a quoted string makes the line invalid;</li>
 *   <li>a non-synchronizing literal on an unknown command is read and dropped, then the command gets BAD (nginx
 *       closes the session); a synchronizing literal on an unknown command ends the line without {@code +};</li>
 *   <li>a synchronizing literal is granted ({@code + OK}, written by this decoder) only if the command, the literal
 *       and two line ends fit in the command limit; otherwise the line is invalid and no {@code +} is sent;</li>
 *   <li>any other invalid line that ends in <code>+}</code> ends the session, as in nginx, since the literal the
 *       client sends next would be read as commands.</li>
 * </ul>
 *
 * <p>Limits count every byte of a command, literals and line ends included. A command line may be
 * {@code commandLimit} bytes ({@code imap_client_buffer}). A line whose command is AUTHENTICATE, and a SASL response
 * line, may be {@code saslLineLimit} bytes, whichever is larger: OAuth bearer tokens are 2 to 6 KB and RFC 4954 §4
 * names 12,288 octets, more than the usual 4 KB buffer. A line past its limit yields {@code Invalid} with
 * {@code close} as soon as the limit is passed, and all later input is dropped.
 *
 * <p>Flow control is {@link RequestDecoder}'s; while paused it holds up to {@code 4 * max(commandLimit,
 * saslLineLimit)} bytes.
 */
public final class ImapCommandDecoder extends RequestDecoder<ImapRequest> {

  /**
   * Creates a decoder in command mode.
   *
   * @param commandLimit longest command in bytes, literals included ({@code imap_client_buffer})
   * @param saslLineLimit longest AUTHENTICATE line or SASL response line (16384)
   * @param knownCommands upper-case command names, e.g. CAPABILITY NOOP LOGOUT LOGIN AUTHENTICATE STARTTLS ID
   */
  public ImapCommandDecoder(int commandLimit, int saslLineLimit, Set<String> knownCommands) {
    super(new ImapCommandParser(commandLimit, saslLineLimit, knownCommands),
        Math.multiplyExact(Math.max(commandLimit, saslLineLimit), 4));
  }
}
