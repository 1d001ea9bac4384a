package io.mailgate.imap;

import io.mailgate.codec.LineRequestParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Byte-at-a-time parser for what an IMAP client sends before login; no Netty, so it is tested on its own.
 *
 * <p>It keeps its state between calls, so input may arrive in any fragmentation. The caller feeds bytes with
 * {@link #accept(byte)} and acts on the returned {@link Step}. Behaviour follows nginx's
 * {@code ngx_mail_imap_parse_command}, hardened as described on {@link ImapCommandDecoder}.
 */
final class ImapCommandParser extends LineRequestParser<ImapRequest> {

  private static final byte[] CONTINUATION = "+ OK\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Where the parser is in ID's parenthesised list (RFC 2971 §3.3: one flat list, or NIL). */
  private enum IdList { NOT_OPENED, OPEN, CLOSED }

  private enum State {
    TAG, SPACES_BEFORE_COMMAND, COMMAND, SPACES_BEFORE_ARGUMENT, ATOM, QUOTED, QUOTED_ESCAPE,
    LITERAL_LENGTH, LITERAL_PLUS, LITERAL_CR, LITERAL_LF, LITERAL_DATA, AFTER_LITERAL, ALMOST_DONE, SKIP,
    SASL_ARGUMENT, SASL_SPACES, SASL_ALMOST_DONE, SASL_SKIP, FAILED
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final int MAX_TAG = 32;
  /** nginx accepts at most three arguments per command. */
  private static final int MAX_ARGS = 3;
  /** RFC 2971 ID sends a parenthesised list of up to 30 field/value pairs: 60 strings and the two parentheses. */
  private static final int MAX_ID_ARGS = 64;
  /** The parentheses of ID's list, passed on as arguments of their own. */
  static final byte[] OPEN = {'('};
  static final byte[] CLOSE = {')'};
  private static final String AUTHENTICATE = "AUTHENTICATE";
  private static final String ID = "ID";
  static final String TOO_LONG = "client sent too long command";
  static final String TOO_LONG_SASL = "client sent too long SASL response";

  private final Set<String> knownCommands;

  private State state;
  private final StringBuilder tagChars = new StringBuilder();
  private String tag;
  private final StringBuilder commandChars = new StringBuilder();
  private String name;
  private boolean known;
  private int maxArgs;
  /** Where ID's list is: not opened, open, or closed (nothing may follow it). */
  private IdList idList;
  private final List<byte[]> args = new ArrayList<>();
  private byte[] arg = new byte[64];
  private int argLength;
  private long literalLength;
  private boolean literalHasDigits;
  private boolean literalNonSync;
  private long literalRemaining;
  private String literalError;
  private String skipReason;
  /** The three bytes before the current one, newest first: spots an invalid line ending in {@code {n+}}. */
  private int prev1;
  private int prev2;
  private int prev3;

  /**
   * Creates a parser in command mode.
   *
   * @param commandLimit longest command line including literals and line ends ({@code imap_client_buffer})
   * @param saslLineLimit longest AUTHENTICATE line or SASL response line
   * @param knownCommands upper-case command names that are parsed; others are answered with {@code Invalid}
   */
  ImapCommandParser(int commandLimit, int saslLineLimit, Set<String> knownCommands) {
    super(commandLimit, saslLineLimit);
    this.knownCommands = Set.copyOf(knownCommands);
    startLine();
  }

  /** RFC 3501 §7.5: the continuation request for a synchronizing literal. */
  @Override
  public byte[] continuation() {
    return CONTINUATION.clone();
  }

  @Override
  public Step accept(byte b) {
    if (state == State.FAILED) {
      return Step.MORE;
    }
    // Checked before the byte is used, so a too long line is refused as soon as it passes the limit.
    if (!withinLimit()) {
      return fail(state.ordinal() >= State.SASL_ARGUMENT.ordinal() ? TOO_LONG_SASL : TOO_LONG);
    }
    Step step = dispatch(b);
    if (lineBytes() > 0) {
      prev3 = prev2;
      prev2 = prev1;
      prev1 = b & 0xff;
    }
    return step;
  }

  private Step dispatch(byte b) {
    if (b == 0 && state != State.LITERAL_DATA && state != State.SKIP && state != State.SASL_SKIP) {
      // RFC 3501 §9: CHAR8 excludes NUL, so no valid command or SASL line contains one.
      return state.ordinal() >= State.SASL_ARGUMENT.ordinal() ? saslInvalid(b, "NUL byte in line")
          : invalid(b, "NUL byte in command");
    }
    switch (state) {
      case TAG:
        return tag(b);
      case SPACES_BEFORE_COMMAND:
        return spacesBeforeCommand(b);
      case COMMAND:
        return command(b);
      case SPACES_BEFORE_ARGUMENT:
        return spacesBeforeArgument(b);
      case ATOM:
        return atom(b);
      case QUOTED:
        return quoted(b);
      case QUOTED_ESCAPE:
        return quotedEscape(b);
      case LITERAL_LENGTH:
        return literalLength(b);
      case LITERAL_PLUS:
        return b == '}' ? literalSpecEnd(b, true) : invalid(b, "malformed literal");
      case LITERAL_CR:
        return literalCr(b);
      case LITERAL_LF:
        return b == LF ? startLiteralData() : invalid(b, "malformed literal");
      case LITERAL_DATA:
        return literalData(b);
      case AFTER_LITERAL:
        return afterLiteral(b);
      case ALMOST_DONE:
        return b == LF ? done() : invalid(b, "CR not followed by LF");
      case SKIP:
        return b == LF ? invalidLineEnd(skipReason) : Step.MORE;
      case SASL_ARGUMENT:
        return saslArgument(b);
      case SASL_SPACES:
        return saslSpaces(b);
      case SASL_ALMOST_DONE:
        return b == LF ? saslDone() : saslInvalid(b, "CR not followed by LF");
      case SASL_SKIP:
        return b == LF ? saslInvalidLineEnd() : Step.MORE;
      default:
        return Step.MORE;
    }
  }

  private Step tag(byte b) {
    if (b == ' ' && tagChars.length() > 0) {
      tag = tagChars.toString();
      state = State.SPACES_BEFORE_COMMAND;
      return Step.MORE;
    }
    if (!isTagChar(b)) {
      return invalid(b, tagChars.length() == 0 && (b == CR || b == LF) ? "empty line" : "invalid tag");
    }
    if (tagChars.length() == MAX_TAG) {
      return invalid(b, "tag too long");
    }
    tagChars.append((char) b);
    return Step.MORE;
  }

  private Step spacesBeforeCommand(byte b) {
    if (b == ' ') {
      return Step.MORE;
    }
    if (!isLetter(b)) {
      return invalid(b, "invalid command");
    }
    commandChars.append((char) b);
    state = State.COMMAND;
    return Step.MORE;
  }

  private Step command(byte b) {
    if (isLetter(b)) {
      commandChars.append((char) b);
      return Step.MORE;
    }
    if (b != ' ' && b != CR && b != LF) {
      return invalid(b, "invalid command");
    }
    name = commandChars.toString().toUpperCase(Locale.ROOT);
    known = knownCommands.contains(name);
    // Unknown commands are parsed to their real end, so that a literal on them is never run as a command.
    maxArgs = !known ? Integer.MAX_VALUE : ID.equals(name) ? MAX_ID_ARGS : MAX_ARGS;
    if (known && AUTHENTICATE.equals(name)) {
      allowSaslLength();
    }
    return lineEnd(b);
  }

  private Step spacesBeforeArgument(byte b) {
    if (isId() && b != ' ' && b != CR && b != LF) {
      String error = idListError(b);
      if (error != null) {
        return invalid(b, error);
      }
      if (b == '(' || b == ')') {
        return idParenthesis(b);
      }
    }
    switch (b) {
      case ' ':
        return Step.MORE;
      case CR:
      case LF:
        return lineEnd(b);
      case '"':
        if (args.size() >= maxArgs) {
          return invalid(b, "too many arguments");
        }
        argLength = 0;
        state = State.QUOTED;
        return Step.MORE;
      case '{':
        return startLiteral(b);
      default:
        if (args.size() >= maxArgs) {
          return invalid(b, "too many arguments");
        }
        argLength = 0;
        append(b);
        state = State.ATOM;
        return Step.MORE;
    }
  }

  /** Handles the byte after a complete token: space, CR or LF. */
  private Step lineEnd(byte b) {
    if (b == ' ') {
      state = State.SPACES_BEFORE_ARGUMENT;
      return Step.MORE;
    }
    if (b == CR) {
      state = State.ALMOST_DONE;
      return Step.MORE;
    }
    return done();
  }

  private Step atom(byte b) {
    if (b == ' ' || b == CR || b == LF) {
      pushArg();
      return lineEnd(b);
    }
    if (isId() && (b == '(' || b == ')')) {
      // In ID a parenthesis ends the atom before it: "os" NIL) closes the list (RFC 3501 §9: atoms exclude them).
      pushArg();
      return spacesBeforeArgument(b);
    }
    append(b);
    return Step.MORE;
  }

  private Step quoted(byte b) {
    switch (b) {
      case '"':
        pushArg();
        // Like nginx, the next argument may follow the closing quote without a space.
        state = State.SPACES_BEFORE_ARGUMENT;
        return Step.MORE;
      case '\\':
        state = State.QUOTED_ESCAPE;
        return Step.MORE;
      case CR:
      case LF:
        return invalid(b, "unterminated quoted string");
      default:
        append(b);
        return Step.MORE;
    }
  }

  private Step quotedEscape(byte b) {
    if (b == CR || b == LF) {
      return invalid(b, "line end after backslash");
    }
    append(b);
    state = State.QUOTED;
    return Step.MORE;
  }

  /** True while parsing the arguments of a known ID command. */
  private boolean isId() {
    return known && ID.equals(name);
  }

  /**
   * Why the token starting with {@code b} cannot be in ID's arguments, or null. RFC 2971: {@code "ID" SP
   * id_params_list}, a list of strings or NIL, so the first token is {@code (} or an atom ({@code NIL}), a list is
   * never nested and nothing follows it. Checked here so that a {@code (} or {@code )} argument is always the list's
   * own parenthesis, never a quoted string that looks like one.
   */
  private String idListError(byte b) {
    switch (idList) {
      case CLOSED:
        return "text after the ID list";
      case OPEN:
        return b == '(' ? "nested list in ID" : null;
      default:
        if (args.isEmpty()) {
          return b == '"' || b == '{' || b == ')' ? "ID takes a list or NIL" : null;
        }
        return b == '(' || b == ')' ? "parenthesis outside the ID list" : null;
    }
  }

  private Step idParenthesis(byte b) {
    if (args.size() >= maxArgs) {
      return invalid(b, "too many arguments");
    }
    args.add((b == '(' ? OPEN : CLOSE).clone());
    idList = b == '(' ? IdList.OPEN : IdList.CLOSED;
    state = State.SPACES_BEFORE_ARGUMENT;
    return Step.MORE;
  }

  private Step startLiteral(byte b) {
    if (args.size() >= maxArgs) {
      return invalid(b, "too many arguments");
    }
    literalLength = 0;
    literalHasDigits = false;
    state = State.LITERAL_LENGTH;
    return Step.MORE;
  }

  private Step literalLength(byte b) {
    if (b >= '0' && b <= '9') {
      // Saturates: anything beyond the line limit is refused anyway, and a long run of digits must not overflow.
      literalLength = Math.min(literalLength * 10 + (b - '0'), Integer.MAX_VALUE);
      literalHasDigits = true;
      return Step.MORE;
    }
    if (!literalHasDigits) {
      return invalid(b, "malformed literal");
    }
    if (b == '+') {
      state = State.LITERAL_PLUS;
      return Step.MORE;
    }
    return b == '}' ? literalSpecEnd(b, false) : invalid(b, "malformed literal");
  }

  private Step literalSpecEnd(byte b, boolean nonSync) {
    // Room for the CRLF after "}" and for the CRLF that ends the command after the literal.
    boolean fits = lineBytes() + 2L + literalLength + 2L <= lineLimit();
    if (nonSync) {
      if (!fits) {
        // RFC 7888 §4: the client sends the literal without waiting, so it can be neither refused nor skipped.
        return fail("non-synchronizing literal exceeds the command limit");
      }
    } else if (!known) {
      // No "+" is sent, so a conforming client does not send the literal (RFC 3501 §7.5); the line ends here.
      return invalid(b, "synchronizing literal on an unknown command");
    } else if (!fits) {
      return invalid(b, "synchronizing literal exceeds the command limit");
    }
    literalNonSync = nonSync;
    state = State.LITERAL_CR;
    return Step.MORE;
  }

  private Step literalCr(byte b) {
    if (b == CR) {
      state = State.LITERAL_LF;
      return Step.MORE;
    }
    return b == LF ? startLiteralData() : invalid(b, "malformed literal");
  }

  private Step startLiteralData() {
    argLength = 0;
    literalRemaining = literalLength;
    literalError = null;
    if (literalRemaining == 0) {
      pushArg();
      state = State.AFTER_LITERAL;
    } else {
      state = State.LITERAL_DATA;
    }
    return literalNonSync ? Step.MORE : Step.CONTINUE;
  }

  private Step literalData(byte b) {
    if (b == 0) {
      // The literal is still consumed to its announced end so none of it is taken for a command.
      literalError = "NUL byte in literal";
    }
    append(b);
    if (--literalRemaining > 0) {
      return Step.MORE;
    }
    pushArg();
    if (literalError != null) {
      skipReason = literalError;
      state = State.SKIP;
    } else {
      state = State.AFTER_LITERAL;
    }
    return Step.MORE;
  }

  private Step afterLiteral(byte b) {
    switch (b) {
      case ' ':
      case CR:
      case LF:
        return lineEnd(b);
      case '{':
        return startLiteral(b);
      default:
        // An ID parameter list may close right after a literal: "... {5}\r\nvalue)".
        return ID.equals(name) ? spacesBeforeArgument(b) : invalid(b, "missing space after literal");
    }
  }

  private Step done() {
    if (!known) {
      return emit(new ImapRequest.Invalid(Optional.of(tag), "unknown command", false));
    }
    if (isId() && idList == IdList.OPEN) {
      return invalidLineEnd("unterminated ID list");
    }
    return emit(new ImapRequest.Command(tag, name, new ArrayList<>(args)));
  }

  /** Marks the line invalid; the rest of it, up to LF, is skipped like nginx does. */
  private Step invalid(byte b, String reason) {
    if (b == LF) {
      return invalidLineEnd(reason);
    }
    skipReason = reason;
    state = State.SKIP;
    return Step.MORE;
  }

  private Step invalidLineEnd(String reason) {
    // Like nginx: an invalid line that announced a non-synchronizing literal ends the session, because the literal
    // bytes that follow would otherwise be read as commands.
    boolean nonSyncLiteral = prev1 == CR ? prev2 == '}' && prev3 == '+' : prev1 == '}' && prev2 == '+';
    if (nonSyncLiteral) {
      ImapRequest.Invalid invalid = new ImapRequest.Invalid(Optional.ofNullable(tag),
          reason + ", with a non-synchronizing literal", true);
      state = State.FAILED;
      return fail(invalid);
    }
    return emit(new ImapRequest.Invalid(Optional.ofNullable(tag), reason, false));
  }

  /** Ends the session: an {@code Invalid} with {@code close}, after which all input is ignored. */
  private Step fail(String reason) {
    state = State.FAILED;
    return fail(new ImapRequest.Invalid(Optional.ofNullable(tag), reason, true));
  }

  private Step saslArgument(byte b) {
    switch (b) {
      case ' ':
        pushArg();
        state = State.SASL_SPACES;
        return Step.MORE;
      case CR:
        pushArg();
        state = State.SASL_ALMOST_DONE;
        return Step.MORE;
      case LF:
        pushArg();
        return saslDone();
      default:
        append(b);
        return Step.MORE;
    }
  }

  private Step saslSpaces(byte b) {
    // nginx's argument state: a run of spaces separates two arguments, trailing spaces add none.
    switch (b) {
      case ' ':
        return Step.MORE;
      case CR:
        state = State.SASL_ALMOST_DONE;
        return Step.MORE;
      case LF:
        return saslDone();
      default:
        argLength = 0;
        append(b);
        state = State.SASL_ARGUMENT;
        return Step.MORE;
    }
  }

  private Step saslDone() {
    List<String> strings = new ArrayList<>(args.size());
    for (byte[] bytes : args) {
      strings.add(new String(bytes, StandardCharsets.ISO_8859_1));
    }
    return emit(new ImapRequest.SaslResponse(strings));
  }

  private Step saslInvalid(byte b, String reason) {
    skipReason = reason;
    if (b == LF) {
      return saslInvalidLineEnd();
    }
    state = State.SASL_SKIP;
    return Step.MORE;
  }

  private Step saslInvalidLineEnd() {
    return emit(new ImapRequest.Invalid(Optional.empty(), skipReason, false));
  }

  @Override
  protected void onLineStart(boolean sasl) {
    state = sasl ? State.SASL_ARGUMENT : State.TAG;
    tagChars.setLength(0);
    tag = null;
    commandChars.setLength(0);
    name = null;
    known = false;
    maxArgs = MAX_ARGS;
    idList = IdList.NOT_OPENED;
    args.clear();
    argLength = 0;
    if (arg.length > 1024) {
      arg = new byte[64];
    }
    literalError = null;
    skipReason = null;
    prev1 = -1;
    prev2 = -1;
    prev3 = -1;
  }

  private void append(byte b) {
    if (argLength == arg.length) {
      arg = Arrays.copyOf(arg, arg.length * 2);
    }
    arg[argLength++] = b;
  }

  private void pushArg() {
    args.add(Arrays.copyOf(arg, argLength));
    argLength = 0;
  }

  private static boolean isTagChar(byte b) {
    return isLetter(b) || (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_';
  }

  private static boolean isLetter(byte b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
  }
}
