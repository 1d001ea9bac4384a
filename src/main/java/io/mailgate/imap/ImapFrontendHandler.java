package io.mailgate.imap;

import io.mailgate.auth.AuthResult;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.sasl.OAuthErrorAck;
import io.mailgate.sasl.Sasl;
import io.mailgate.sasl.SaslContext;
import io.mailgate.sasl.SaslExchange;
import io.mailgate.sasl.SaslStep;
import io.mailgate.session.ClientSession;
import io.mailgate.session.LoginFlow;
import io.mailgate.session.LoginFrontend;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The IMAP state machine before login: CAPABILITY, NOOP, LOGOUT, ID, LOGIN and AUTHENTICATE (with every SASL mechanism),
 * replies worded as nginx's. Tags are copied per command; a tag-less invalid line is answered {@code * BAD}, and the
 * tag is forgotten after each authentication attempt (freenginx's tag fix) except while an RFC 7628 error challenge
 * waits for the client's dummy response, whose final reply carries the AUTHENTICATE tag.
 */
final class ImapFrontendHandler extends ChannelInboundHandlerAdapter implements LoginFrontend {

  private final ClientSession session;
  private final ImapCommandDecoder decoder;
  private final LoginFlow loginFlow;
  private final SaslContext saslContext;
  private ChannelHandlerContext ctx;
  /** The tag of the command being answered; null when none (tag-less replies use {@code *}). */
  private String tag;
  private SaslExchange exchange;
  private Mechanism lastMechanism;
  private PendingSaslError pendingAck;

  ImapFrontendHandler(ClientSession session, ImapCommandDecoder decoder) {
    this.session = session;
    this.decoder = decoder;
    this.loginFlow = new LoginFlow(session, this);
    this.saslContext = new SaslContext(session::salt, session.config().oauthFastmailCompat());
  }

  /** The tag of the login command in progress (the backend LOGIN reuses it). */
  String currentTag() {
    return tag;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ImapRequest)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    session.armTimeout();
    if (msg instanceof ImapRequest.Command command) {
      onCommand(command);
    } else if (msg instanceof ImapRequest.SaslResponse response) {
      onSaslResponse(response.args());
    } else if (msg instanceof ImapRequest.Invalid invalid) {
      if (exchange == null && pendingAck == null) {
        // A bad SASL continuation line has no tag of its own: the reply carries the AUTHENTICATE tag.
        tag = invalid.tag().orElse(null);
      }
      session.log().info(invalid.logReason());
      bad(invalid.close());
    }
  }

  private void onCommand(ImapRequest.Command command) {
    tag = command.tag();
    List<byte[]> args = command.args();
    switch (command.name()) {
      case "CAPABILITY":
        session.writeLine("* CAPABILITY " + ImapCapabilities.of(session.config().imap()));
        ok();
        break;
      case "NOOP":
        ok();
        break;
      case "LOGOUT":
        session.writeLine("* BYE");
        session.writeLineAndClose(tag + " OK completed");
        break;
      case "ID":
        // RFC 2971: answered only when the operator advertises ID, otherwise unknown as in nginx.
        if (ImapCapabilities.advertisesId(session.config().imap())) {
          session.writeLine("* ID NIL");
          ok();
        } else {
          bad(false);
        }
        break;
      case "LOGIN":
        onLogin(args);
        break;
      case "AUTHENTICATE":
        onAuthenticate(args);
        break;
      default:
        // STARTTLS arrives with TLS support; until then it is as unknown as in an nginx built without ssl.
        bad(false);
        break;
    }
  }

  private void onLogin(List<byte[]> args) {
    if (args.size() != 2 || args.get(0).length == 0) {
      bad(false);
      return;
    }
    if (hasLineBreakOrNul(args.get(0)) || hasLineBreakOrNul(args.get(1))) {
      session.log().info("client sent CR, LF or NUL in LOGIN arguments");
      bad(false);
      return;
    }
    login(Credentials.of(Mechanism.PLAIN, args.get(0), args.get(1)));
  }

  private void onAuthenticate(List<byte[]> args) {
    if (args.isEmpty()) {
      bad(false);
      return;
    }
    Optional<Mechanism> named = Mechanism.fromSaslName(ascii(args.get(0)));
    if (named.isEmpty() || !enabled(named.get()) || !argumentCountFits(named.get(), args.size())) {
      bad(false);
      return;
    }
    Mechanism mechanism = named.get();
    lastMechanism = mechanism;
    exchange = Sasl.start(mechanism, saslContext);
    Optional<String> initial = args.size() == 2 ? Optional.of(ascii(args.get(1))) : Optional.empty();
    onSaslStep(exchange.start(initial));
  }

  /** PLAIN and LOGIN are always accepted, as in nginx; the others only when {@code imap_auth} enables them. */
  private boolean enabled(Mechanism mechanism) {
    return mechanism == Mechanism.PLAIN || mechanism == Mechanism.LOGIN
        || session.config().imap().auth().contains(mechanism);
  }

  /** CRAM-MD5 takes no initial response; the others take at most one. */
  private static boolean argumentCountFits(Mechanism mechanism, int count) {
    return mechanism == Mechanism.CRAM_MD5 ? count == 1 : count <= 2;
  }

  private void onSaslResponse(List<String> args) {
    if (pendingAck != null) {
      onErrorChallengeAnswer(args);
      return;
    }
    if (exchange == null) {
      bad(false);
      return;
    }
    onSaslStep(exchange.next(args.isEmpty() ? "" : args.get(0)));
  }

  private void onSaslStep(SaslStep step) {
    if (step instanceof SaslStep.Challenge challenge) {
      session.writeLine("+ " + challenge.payload());
      decoder.expectSaslResponse();
    } else if (step instanceof SaslStep.Done done) {
      exchange = null;
      login(done.credentials());
    } else if (step instanceof SaslStep.Invalid invalid) {
      exchange = null;
      session.log().info(invalid.logMessage());
      bad(false);
    }
  }

  /** RFC 7628 §3.2.2: the client must answer the error challenge with a dummy response before it gets the NO. */
  private void onErrorChallengeAnswer(List<String> args) {
    PendingSaslError pending = pendingAck;
    pendingAck = null;
    boolean compat = session.config().oauthFastmailCompat();
    if (OAuthErrorAck.accepts(lastMechanism, args, compat)) {
      if (pending.closeAfter()) {
        session.writeLineAndClose(pending.failureReply());
      } else {
        session.writeLine(pending.failureReply());
      }
      tag = null;
      return;
    }
    if (compat) {
      // Fastmail's original patch drops a client that answers the challenge with anything else.
      session.log().info("client sent invalid response to SASL error challenge");
      session.close();
      return;
    }
    bad(pending.closeAfter());
  }

  private void login(Credentials credentials) {
    decoder.pause();
    loginFlow.start(credentials, List.of());
  }

  @Override
  public String authFailedReply(AuthResult.Rejected rejected) {
    return tagOrStar() + " NO " + rejected.message();
  }

  @Override
  public String saslErrorChallenge(String value) {
    return "+ " + value;
  }

  @Override
  public void authFailed(PendingSaslError pending) {
    if (pending != null) {
      pendingAck = pending;
      decoder.expectSaslResponse();
    } else {
      tag = null;
    }
    decoder.resume(ctx);
  }

  private void ok() {
    session.writeLine(tagOrStar() + " OK completed");
    tag = null;
  }

  /** {@code <tag> BAD invalid command}, counted against {@code max_errors}; closes past the limit or when asked. */
  private void bad(boolean close) {
    String line = tagOrStar() + " BAD invalid command";
    // A bad line in place of the error challenge's dummy response ends that exchange too (closing if it had to).
    boolean quit = close || pendingAck != null && pendingAck.closeAfter();
    tag = null;
    exchange = null;
    pendingAck = null;
    if (session.countErrorAndCheckLimit() || quit) {
      session.writeLineAndClose(line);
    } else {
      session.writeLine(line);
    }
  }

  private String tagOrStar() {
    return tag == null ? "*" : tag;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.disarmTimeout();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof java.io.IOException) {
      session.log().info("client connection error (" + cause.getMessage() + ")");
    } else {
      session.log().error("unexpected error", cause);
    }
    session.close();
  }

  private static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static boolean hasLineBreakOrNul(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '\r' || b == '\n' || b == 0) {
        return true;
      }
    }
    return false;
  }
}
