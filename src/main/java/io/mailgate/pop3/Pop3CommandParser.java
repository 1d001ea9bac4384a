package io.mailgate.pop3;

import io.mailgate.codec.LineRequestParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Byte-at-a-time parser for what a POP3 client sends before login, with nginx's {@code ngx_mail_pop3_parse_command}
 * grammar: {@code command [SP+ argument]* (CRLF | LF)}. A command is four letters, matched case-insensitively against
 * USER PASS APOP QUIT CAPA AUTH NOOP STLS; anything else makes the line invalid and it is skipped to its LF. At most
 * three arguments; USER and PASS keep spaces inside their argument (a password may contain one), other commands split
 * on runs of spaces. A bare LF ends a line, as in nginx.
 *
 * <p>Hardening over nginx: a NUL byte anywhere, or a CR not followed by LF, makes the line invalid, so no NUL reaches
 * the auth service or the backend's {@code USER}/{@code PASS}.
 *
 * <p>A SASL response line (RFC 5034 §4, after the handler calls {@link #expectSaslResponse()}) is split on runs of
 * spaces into at most three arguments; an empty line is one empty argument.
 *
 * <p>Limits count every byte of a line, its line end included. A command line may be {@code commandLimit} bytes
 * ({@code pop3_client_buffer}); an AUTH line and a SASL response may be {@code saslLineLimit} bytes, or the command
 * limit if larger, because OAuth bearer tokens are 2 to 6 KB. A line past its limit yields {@code Invalid} with
 * {@code close} as soon as the limit is passed; the parser then ignores all input.
 */
public final class Pop3CommandParser extends LineRequestParser<Pop3Request> {

  /** Commands the parser accepts; nginx's list (STLS is parsed but answered as invalid until TLS exists). */
  static final Set<String> KNOWN_COMMANDS = Set.of("USER", "PASS", "APOP", "QUIT", "CAPA", "AUTH", "NOOP", "STLS");

  /** nginx starts a new argument only while fewer than three are held. */
  private static final int MAX_ARGS = 3;
  private static final int COMMAND_LENGTH = 4;
  private static final byte CR = '\r';
  private static final byte LF = '\n';
  static final String TOO_LONG = "client sent too long command";
  static final String TOO_LONG_SASL = "client sent too long SASL response";

  private enum State {
    COMMAND, SPACES, ARGUMENT, ALMOST_DONE, SKIP,
    SASL_ARGUMENT, SASL_SPACES, SASL_ALMOST_DONE, SASL_SKIP,
    FAILED
  }

  private State state;
  private final StringBuilder name = new StringBuilder(COMMAND_LENGTH);
  private String command;
  private final List<String> args = new ArrayList<>(MAX_ARGS);
  private final StringBuilder arg = new StringBuilder();
  private String skipReason;

  /**
   * Creates a parser in command mode.
   *
   * @param commandLimit longest command line, line end included ({@code pop3_client_buffer})
   * @param saslLineLimit longest AUTH line or SASL response line (16384)
   */
  public Pop3CommandParser(int commandLimit, int saslLineLimit) {
    super(commandLimit, saslLineLimit);
    startLine();
  }

  /** Feeds one byte of client input. */
  @Override
  public Step accept(byte b) {
    if (state == State.FAILED) {
      return Step.MORE;
    }
    // Checked before the byte is used, so a too long line is refused as soon as it passes the limit.
    if (!withinLimit()) {
      return fail(isSaslState() ? TOO_LONG_SASL : TOO_LONG);
    }
    if (b == 0 && state != State.SKIP && state != State.SASL_SKIP) {
      return invalid(b, "client sent NUL byte in command");
    }
    switch (state) {
      case COMMAND:
        return command(b);
      case SPACES:
        return spaces(b);
      case ARGUMENT:
        return argument(b);
      case ALMOST_DONE:
      case SASL_ALMOST_DONE:
        return b == LF ? done() : invalid(b, "client sent CR not followed by LF");
      case SKIP:
      case SASL_SKIP:
        return b == LF ? emitInvalid() : Step.MORE;
      case SASL_ARGUMENT:
        return saslArgument(b);
      case SASL_SPACES:
        return spaces(b);
      default:
        return Step.MORE;
    }
  }

  private boolean isSaslState() {
    return state == State.SASL_ARGUMENT || state == State.SASL_SPACES || state == State.SASL_ALMOST_DONE
        || state == State.SASL_SKIP;
  }

  private Step command(byte b) {
    if (b == ' ' || b == CR || b == LF) {
      if (name.length() == 0) {
        return invalid(b, "client sent empty line");
      }
      command = name.toString().toUpperCase(Locale.ROOT);
      if (name.length() != COMMAND_LENGTH || !KNOWN_COMMANDS.contains(command)) {
        return invalid(b, "client sent invalid command");
      }
      if ("AUTH".equals(command)) {
        allowSaslLength();
      }
      return delimiter(b, State.SPACES, State.ALMOST_DONE);
    }
    if (!isLetter(b) || name.length() == COMMAND_LENGTH) {
      return invalid(b, "client sent invalid command");
    }
    name.append((char) b);
    return Step.MORE;
  }

  /** Between arguments (command or SASL line): a run of spaces separates two arguments, trailing spaces add none. */
  private Step spaces(byte b) {
    if (b == ' ') {
      return Step.MORE;
    }
    boolean sasl = state == State.SASL_SPACES;
    if (b == CR) {
      state = sasl ? State.SASL_ALMOST_DONE : State.ALMOST_DONE;
      return Step.MORE;
    }
    if (b == LF) {
      return done();
    }
    if (args.size() >= MAX_ARGS) {
      return invalid(b, "client sent too many arguments");
    }
    arg.setLength(0);
    arg.append((char) (b & 0xff));
    state = sasl ? State.SASL_ARGUMENT : State.ARGUMENT;
    return Step.MORE;
  }

  private Step argument(byte b) {
    // nginx: a space belongs to the user name or password of USER and PASS, but ends the argument elsewhere.
    if (b == ' ' && ("USER".equals(command) || "PASS".equals(command))) {
      arg.append(' ');
      return Step.MORE;
    }
    if (b == ' ' || b == CR || b == LF) {
      args.add(arg.toString());
      return delimiter(b, State.SPACES, State.ALMOST_DONE);
    }
    arg.append((char) (b & 0xff));
    return Step.MORE;
  }

  private Step saslArgument(byte b) {
    if (b == ' ' || b == CR || b == LF) {
      args.add(arg.toString());
      return delimiter(b, State.SASL_SPACES, State.SASL_ALMOST_DONE);
    }
    arg.append((char) (b & 0xff));
    return Step.MORE;
  }

  /** After a complete token: a space leads to {@code spaces}, CR to {@code almostDone}, LF ends the line. */
  private Step delimiter(byte b, State spaces, State almostDone) {
    if (b == ' ') {
      state = spaces;
      return Step.MORE;
    }
    if (b == CR) {
      state = almostDone;
      return Step.MORE;
    }
    return done();
  }

  private Step done() {
    boolean sasl = isSaslState();
    return emit(sasl ? new Pop3Request.SaslResponse(args) : new Pop3Request.Command(command, args));
  }

  /** Marks the line invalid; the rest of it, up to LF, is skipped like nginx does. */
  private Step invalid(byte b, String reason) {
    skipReason = reason;
    if (b == LF) {
      return emitInvalid();
    }
    state = isSaslState() ? State.SASL_SKIP : State.SKIP;
    return Step.MORE;
  }

  private Step emitInvalid() {
    return emit(new Pop3Request.Invalid(skipReason, false));
  }

  /** Ends the session: an {@code Invalid} with {@code close}, after which all input is ignored. */
  private Step fail(String reason) {
    state = State.FAILED;
    clearLine();
    return fail(new Pop3Request.Invalid(reason, true));
  }

  @Override
  protected void onLineStart(boolean sasl) {
    state = sasl ? State.SASL_ARGUMENT : State.COMMAND;
    clearLine();
  }

  private void clearLine() {
    name.setLength(0);
    command = null;
    args.clear();
    arg.setLength(0);
    if (arg.capacity() > 1024) {
      arg.trimToSize();
    }
    skipReason = null;
  }

  private static boolean isLetter(byte b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
  }
}
