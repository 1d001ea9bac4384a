package io.mailgate.smtp;

import io.mailgate.codec.LineRequestParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Byte-at-a-time parser for what an SMTP client sends before login; no Netty, so it is tested on its own. State is kept
 * between calls, so every fragmentation of the input parses the same way.
 *
 * <p>Grammar (nginx's {@code ngx_mail_smtp_parse_command}): {@code verb [SP+ argument]* CRLF}; the verb is letters
 * only, matched case-insensitively; at most 11 arguments. After {@link #expectSaslResponse()} the next line is a
 * response to a {@code 334} challenge, split on spaces. Stricter than nginx, because these lines end up in auth_http
 * headers ({@code Auth-SMTP-From}) and in commands replayed to the backend:
 * <ul>
 *   <li>only CRLF ends a line (RFC 5321 §2.3.8); a bare LF does not, it makes the line invalid, and so do a CR not
 *       followed by LF and a NUL byte. An invalid line is skipped up to its CRLF and answered once;</li>
 *   <li>a line, CRLF included, may be {@code commandLimit} bytes ({@code smtp_client_buffer}); an AUTH line and a SASL
 *       response may be {@code saslLineLimit} bytes if that is larger (RFC 4954 §4 allows 12,288 octets; OAuth tokens
 *       are long). Past the limit the parser gives up at once: an {@code Invalid} with {@code close}, then silence.</li>
 * </ul>
 */
final class SmtpCommandParser extends LineRequestParser<SmtpRequest> {

  private enum State { VERB, SPACES, ARGUMENT, ALMOST_DONE, SKIP, FAILED }

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  /** nginx starts an argument only while it holds at most ten. */
  static final int MAX_ARGS = 11;
  static final String TOO_LONG = "client sent too long command";
  static final String TOO_LONG_SASL = "client sent too long SASL response";

  private State state;
  /** The line so far without CR/LF; bounded by the line limit. */
  private byte[] line = new byte[128];
  private int lineLength;
  private int argStart;
  private int lastArgEnd;
  private final List<byte[]> args = new ArrayList<>();
  private final StringBuilder verbLetters = new StringBuilder();
  private SmtpVerb verb;
  private String skipReason;
  private boolean skipAfterCr;

  /**
   * @param commandLimit longest command line, CRLF included ({@code smtp_client_buffer})
   * @param saslLineLimit longest AUTH line or SASL response line, CRLF included
   */
  SmtpCommandParser(int commandLimit, int saslLineLimit) {
    super(commandLimit, saslLineLimit);
    startLine();
  }

  @Override
  public Step accept(byte b) {
    if (state == State.FAILED) {
      return Step.MORE;
    }
    // Checked before the byte is used, so a line is refused as soon as it passes the limit.
    if (!withinLimit()) {
      return fail(saslLine() ? TOO_LONG_SASL : TOO_LONG);
    }
    switch (state) {
      case SKIP:
        return skip(b);
      case ALMOST_DONE:
        if (b == LF) {
          return done();
        }
        invalid("bare CR in line");
        return skip(b);
      default:
        break;
    }
    if (b == CR) {
      return endToken() ? almostDone() : skip(b);
    }
    if (b == LF) {
      return invalid("bare LF in line");
    }
    if (b == 0) {
      return invalid("NUL byte in line");
    }
    switch (state) {
      case VERB:
        return verb(b);
      case SPACES:
        return spaces(b);
      default:
        return argument(b);
    }
  }

  private Step verb(byte b) {
    if (b == ' ') {
      if (endToken()) {
        record(b);
      }
      return Step.MORE;
    }
    if (!isLetter(b) || verbLetters.length() == SmtpVerb.MAX_LENGTH) {
      return invalid("invalid command");
    }
    verbLetters.append((char) b);
    record(b);
    return Step.MORE;
  }

  private Step spaces(byte b) {
    record(b);
    if (b == ' ') {
      return Step.MORE;
    }
    if (args.size() >= MAX_ARGS) {
      return invalid("too many arguments");
    }
    argStart = lineLength - 1;
    state = State.ARGUMENT;
    return Step.MORE;
  }

  private Step argument(byte b) {
    if (b == ' ') {
      pushArg();
      record(b);
      state = State.SPACES;
      return Step.MORE;
    }
    record(b);
    return Step.MORE;
  }

  /**
   * Ends the token in progress at a space or CR: resolves the verb, or keeps the argument. Returns false when the line
   * turned invalid (unknown verb); the parser is then skipping.
   */
  private boolean endToken() {
    if (state == State.VERB) {
      verb = SmtpVerb.of(verbLetters).orElse(null);
      if (verb == null) {
        invalid(verbLetters.length() == 0 ? "empty command" : "unknown command");
        return false;
      }
      if (verb == SmtpVerb.AUTH) {
        allowSaslLength();
      }
      lastArgEnd = lineLength;
      state = State.SPACES;
      return true;
    }
    if (state == State.ARGUMENT) {
      pushArg();
    }
    return true;
  }

  private Step almostDone() {
    state = State.ALMOST_DONE;
    return Step.MORE;
  }

  private Step done() {
    if (saslLine()) {
      List<String> strings = new ArrayList<>(args.size());
      for (byte[] arg : args) {
        strings.add(new String(arg, StandardCharsets.ISO_8859_1));
      }
      return emit(new SmtpRequest.SaslResponse(strings));
    }
    return emit(new SmtpRequest.Command(verb, args, Arrays.copyOf(line, lastArgEnd)));
  }

  /** Marks the line invalid; the rest of it, up to CRLF, is skipped. */
  private Step invalid(String reason) {
    skipReason = reason;
    skipAfterCr = false;
    state = State.SKIP;
    return Step.MORE;
  }

  private Step skip(byte b) {
    if (b == LF && skipAfterCr) {
      return emit(new SmtpRequest.Invalid(skipReason, false));
    }
    skipAfterCr = b == CR;
    return Step.MORE;
  }

  private Step fail(String reason) {
    state = State.FAILED;
    return fail(new SmtpRequest.Invalid(reason, true));
  }

  @Override
  protected void onLineStart(boolean sasl) {
    state = sasl ? State.ARGUMENT : State.VERB;
    if (line.length > 1024) {
      line = new byte[128];
    }
    lineLength = 0;
    argStart = 0;
    lastArgEnd = 0;
    args.clear();
    verbLetters.setLength(0);
    verb = null;
    skipReason = null;
    skipAfterCr = false;
  }

  private void record(byte b) {
    if (lineLength == line.length) {
      line = Arrays.copyOf(line, Math.min(line.length * 2, Math.max(lineLimit(), line.length + 1)));
    }
    line[lineLength++] = b;
  }

  private void pushArg() {
    args.add(Arrays.copyOfRange(line, argStart, lineLength));
    lastArgEnd = lineLength;
  }

  private static boolean isLetter(byte b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
  }
}
