package io.mailgate.demo;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the demo store: the RFC 3501 state machine (not authenticated, authenticated, selected) over the
 * read-only INBOX. Serves CAPABILITY, NOOP, LOGOUT, LOGIN, AUTHENTICATE (PLAIN; OAUTHBEARER and XOAUTH2 with a token
 * check), LIST, LSUB, SELECT, EXAMINE, FETCH, SEARCH ALL, CLOSE, EXPUNGE (which removes nothing) and UID FETCH/SEARCH;
 * anything else gets {@code BAD}.
 */
final class DemoImapSession extends SimpleChannelInboundHandler<DemoRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(DemoImapSession.class);
  /** After this many BAD replies the client is told BYE: it is not speaking IMAP. */
  static final int MAX_ERRORS = 20;
  /** RFC 3501 §9 tag: ASTRING-CHAR except "+", i.e. no controls, space, {@code ( ) { % * " \ +}. */
  private static final Pattern TAG = Pattern.compile("[\\x21-\\x7e&&[^(){%*\"\\\\+]]+");
  private static final String FLAGS = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";

  private enum State { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED }

  /**
   * An AUTHENTICATE waiting for the client's next line.
   *
   * @param failed a bearer token was refused; the error challenge was sent and the client's dummy reply is awaited
   */
  private record PendingAuth(String tag, String mechanism, boolean failed) {}

  private final DemoStoreSettings settings;
  private final FetchResponder fetches = new FetchResponder();
  private State state = State.NOT_AUTHENTICATED;
  private boolean readWrite;
  private PendingAuth pendingAuth;
  private int errors;
  /** BYE was sent: whatever the client pipelined after it is ignored. */
  private boolean closing;

  DemoImapSession(DemoStoreSettings settings) {
    this.settings = settings;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    send(ctx, "* OK [CAPABILITY " + settings.capabilities() + "] mailgate demo store ready");
    ctx.flush();
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DemoRequest request) {
    if (closing || !ctx.channel().isActive()) {
      return;
    }
    if (pendingAuth != null) {
      PendingAuth auth = pendingAuth;
      pendingAuth = null;
      onSaslResponse(ctx, auth, request);
    } else {
      onCommand(ctx, request);
    }
    ctx.flush();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      LOG.debug("demo store: closing idle connection {}", ctx.channel().remoteAddress());
      bye(ctx, "Autologout; idle for too long");
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("demo store: connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private void onCommand(ChannelHandlerContext ctx, DemoRequest request) {
    String tag = request.tag();
    if (!TAG.matcher(tag).matches()) {
      bad(ctx, "*", "invalid tag");
      return;
    }
    if (request.literalTooLarge()) {
      bad(ctx, tag, "literal too large");
      return;
    }
    DemoArgs args = new DemoArgs(request);
    try {
      args.word();
      args.space();
      String command = args.word().toUpperCase(Locale.ROOT);
      if (!dispatch(ctx, tag, command, args)) {
        bad(ctx, tag, "command unknown or not valid now");
      }
    } catch (DemoSyntaxException e) {
      bad(ctx, tag, e.getMessage());
    }
  }

  /** Runs {@code command}; false if it is unknown or not valid in this state. */
  private boolean dispatch(ChannelHandlerContext ctx, String tag, String command, DemoArgs args)
      throws DemoSyntaxException {
    switch (command) {
      case "CAPABILITY":
        args.end();
        send(ctx, "* CAPABILITY " + settings.capabilities());
        ok(ctx, tag, "CAPABILITY completed");
        return true;
      case "NOOP":
        args.end();
        ok(ctx, tag, "NOOP completed");
        return true;
      case "LOGOUT":
        args.end();
        send(ctx, "* BYE mailgate demo store logging out");
        ok(ctx, tag, "LOGOUT completed");
        closing = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return true;
      case "LOGIN":
        return state == State.NOT_AUTHENTICATED && login(ctx, tag, args);
      case "AUTHENTICATE":
        return state == State.NOT_AUTHENTICATED && authenticate(ctx, tag, args);
      case "LIST":
      case "LSUB":
        return state != State.NOT_AUTHENTICATED && list(ctx, tag, command, args);
      case "SELECT":
      case "EXAMINE":
        return state != State.NOT_AUTHENTICATED && select(ctx, tag, command, args);
      case "CLOSE":
        if (state != State.SELECTED) {
          return false;
        }
        args.end();
        state = State.AUTHENTICATED;
        ok(ctx, tag, "CLOSE completed");
        return true;
      case "EXPUNGE":
        if (state != State.SELECTED) {
          return false;
        }
        args.end();
        // Nothing is ever deleted here: the store is read-only.
        ok(ctx, tag, "EXPUNGE completed");
        return true;
      case "FETCH":
      case "SEARCH":
        return state == State.SELECTED && selectedCommand(ctx, tag, command, false, args);
      case "UID":
        if (state != State.SELECTED) {
          return false;
        }
        args.space();
        String sub = args.word().toUpperCase(Locale.ROOT);
        return (sub.equals("FETCH") || sub.equals("SEARCH")) && selectedCommand(ctx, tag, "UID " + sub, true, args);
      default:
        return false;
    }
  }

  private boolean login(ChannelHandlerContext ctx, String tag, DemoArgs args) throws DemoSyntaxException {
    args.space();
    String user = args.astring();
    args.space();
    String password = args.astring();
    args.end();
    finishLogin(ctx, tag, "LOGIN", user, passwordMatches(user, password));
    return true;
  }

  private boolean authenticate(ChannelHandlerContext ctx, String tag, DemoArgs args) throws DemoSyntaxException {
    args.space();
    String mechanism = args.word().toUpperCase(Locale.ROOT);
    boolean bearer = mechanism.equals("OAUTHBEARER") || mechanism.equals("XOAUTH2");
    if (!mechanism.equals("PLAIN") && !(bearer && settings.tokenCheck().isPresent())) {
      send(ctx, tag + " NO [CANNOT] unsupported authentication mechanism");
      return true;
    }
    if (args.atEnd()) {
      send(ctx, "+ ");
      pendingAuth = new PendingAuth(tag, mechanism, false);
      return true;
    }
    // RFC 4959 (SASL-IR): the initial response on the command line, "=" standing for an empty one.
    args.space();
    String initial = args.restOfLine();
    checkSasl(ctx, new PendingAuth(tag, mechanism, false), initial.equals("=") ? "" : initial);
    return true;
  }

  private void onSaslResponse(ChannelHandlerContext ctx, PendingAuth auth, DemoRequest request) {
    if (!request.literals().isEmpty() || request.literalTooLarge()) {
      bad(ctx, auth.tag(), "invalid SASL response");
      return;
    }
    String line = new String(request.lines().get(0), StandardCharsets.ISO_8859_1);
    if (line.equals("*")) {
      bad(ctx, auth.tag(), "AUTHENTICATE cancelled");
      return;
    }
    if (auth.failed()) {
      send(ctx, auth.tag() + " NO [AUTHENTICATIONFAILED] Authentication failed");
      return;
    }
    checkSasl(ctx, auth, line);
  }

  private void checkSasl(ChannelHandlerContext ctx, PendingAuth auth, String base64) {
    byte[] response;
    try {
      response = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      bad(ctx, auth.tag(), "invalid base64");
      return;
    }
    if (auth.mechanism().equals("PLAIN")) {
      Optional<DemoSasl.Credentials> credentials = DemoSasl.plain(response);
      String user = credentials.map(DemoSasl.Credentials::user).orElse("");
      boolean valid = credentials.isPresent() && passwordMatches(user, credentials.get().secret());
      finishLogin(ctx, auth.tag(), "AUTHENTICATE", user, valid);
      return;
    }
    Optional<DemoSasl.Credentials> credentials = DemoSasl.bearer(auth.mechanism(), response);
    boolean valid = credentials.isPresent() && settings.tokenCheck().orElseThrow().test(credentials.get().secret());
    if (valid) {
      finishLogin(ctx, auth.tag(), "AUTHENTICATE", credentials.get().user(), true);
      return;
    }
    LOG.info("demo store: {} token refused from {}", auth.mechanism(), ctx.channel().remoteAddress());
    // RFC 7628 §3.2.2: a failure is an error challenge the client answers (with ^A) before the final NO.
    String error = "{\"status\":\"invalid_token\"}";
    send(ctx, "+ " + Base64.getEncoder().encodeToString(error.getBytes(StandardCharsets.US_ASCII)));
    pendingAuth = new PendingAuth(auth.tag(), auth.mechanism(), true);
  }

  private void finishLogin(ChannelHandlerContext ctx, String tag, String command, String user, boolean valid) {
    if (!valid) {
      LOG.info("demo store: {} failed for user \"{}\" from {}", command, user, ctx.channel().remoteAddress());
      send(ctx, tag + " NO [AUTHENTICATIONFAILED] Authentication failed");
      return;
    }
    LOG.debug("demo store: user \"{}\" logged in from {}", user, ctx.channel().remoteAddress());
    state = State.AUTHENTICATED;
    ok(ctx, tag, command + " completed");
  }

  private boolean passwordMatches(String user, String password) {
    String expected = settings.users().get(user);
    // Constant-time comparison, so that timing does not reveal how much of a password matched.
    return expected != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        password.getBytes(StandardCharsets.UTF_8));
  }

  private boolean list(ChannelHandlerContext ctx, String tag, String command, DemoArgs args)
      throws DemoSyntaxException {
    args.space();
    String reference = args.astring();
    args.space();
    String pattern = args.astring();
    args.end();
    if (pattern.isEmpty() && command.equals("LIST")) {
      // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy delimiter.
      send(ctx, "* LIST (\\Noselect) \"/\" \"\"");
    } else if (MailboxPattern.matchesInbox(reference + pattern)) {
      send(ctx, "* " + command + (command.equals("LIST") ? " (\\HasNoChildren)" : " ()") + " \"/\" INBOX");
    }
    ok(ctx, tag, command + " completed");
    return true;
  }

  private boolean select(ChannelHandlerContext ctx, String tag, String command, DemoArgs args)
      throws DemoSyntaxException {
    args.space();
    String mailbox = args.astring();
    args.end();
    state = State.AUTHENTICATED;
    if (!mailbox.equalsIgnoreCase("INBOX")) {
      send(ctx, tag + " NO [NONEXISTENT] Mailbox does not exist");
      return true;
    }
    readWrite = command.equals("SELECT");
    fetches.reset();
    long count = settings.messages().size();
    send(ctx, "* FLAGS " + FLAGS);
    send(ctx, "* " + count + " EXISTS");
    send(ctx, "* 0 RECENT");
    // No permanent flags: \Seen set by a fetch lasts only as long as the connection.
    send(ctx, "* OK [PERMANENTFLAGS ()] Flags are not kept");
    send(ctx, "* OK [UIDVALIDITY " + settings.uidValidity() + "] UIDs valid");
    send(ctx, "* OK [UIDNEXT " + (count + 1) + "] Predicted next UID");
    state = State.SELECTED;
    ok(ctx, tag, (readWrite ? "[READ-WRITE] " : "[READ-ONLY] ") + command + " completed");
    return true;
  }

  private boolean selectedCommand(ChannelHandlerContext ctx, String tag, String command, boolean byUid, DemoArgs args)
      throws DemoSyntaxException {
    args.space();
    List<DemoMessage> messages = settings.messages();
    if (command.endsWith("SEARCH")) {
      if (!args.restOfLine().equalsIgnoreCase("ALL")) {
        throw new DemoSyntaxException("the demo store only searches ALL");
      }
      StringBuilder hits = new StringBuilder("* SEARCH");
      for (int i = 0; i < messages.size(); i++) {
        hits.append(' ').append(byUid ? messages.get(i).uid() : i + 1);
      }
      send(ctx, hits.toString());
      ok(ctx, tag, command + " completed");
      return true;
    }
    String set = args.word();
    args.space();
    List<FetchItem> items = FetchItem.parseList(args.restOfLine());
    long largest = messages.isEmpty() ? 0 : byUid ? messages.get(messages.size() - 1).uid() : messages.size();
    SequenceSet sequence = SequenceSet.parse(set, largest);
    if (!byUid && (sequence.max() > messages.size() || messages.isEmpty())) {
      // RFC 3501 §6.4.5: message sequence numbers must exist (UID FETCH silently skips missing UIDs).
      throw new DemoSyntaxException("invalid message sequence number");
    }
    for (int i = 0; i < messages.size(); i++) {
      DemoMessage message = messages.get(i);
      if (sequence.contains(byUid ? message.uid() : i + 1)) {
        fetches.write(ctx, i + 1, message, items, byUid, readWrite, settings.internalDate());
      }
    }
    ok(ctx, tag, command + " completed");
    return true;
  }

  private void ok(ChannelHandlerContext ctx, String tag, String text) {
    errors = 0;
    send(ctx, tag + " OK " + text);
  }

  private void bad(ChannelHandlerContext ctx, String tag, String text) {
    send(ctx, tag + " BAD " + text);
    if (++errors >= MAX_ERRORS) {
      bye(ctx, "Too many invalid commands");
    }
  }

  private void bye(ChannelHandlerContext ctx, String text) {
    closing = true;
    ctx.writeAndFlush(Unpooled.copiedBuffer("* BYE " + text + "\r\n", StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private static void send(ChannelHandlerContext ctx, String line) {
    ctx.write(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
  }
}
