package io.mailgate.pop3;

import io.mailgate.auth.AuthResult;
import io.mailgate.codec.RequestDecoder;
import io.mailgate.config.Pop3Config;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.session.ClientSession;
import io.mailgate.session.ClientTls;
import io.mailgate.session.FrontendHandler;
import io.mailgate.session.SaslDialogue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The POP3 AUTHORIZATION state (RFC 1939 §4) as nginx's mail module runs it: USER/PASS, APOP, AUTH with every SASL
 * mechanism (RFC 5034), CAPA (RFC 2449), NOOP and QUIT, replies worded as nginx's. Every other command, and every
 * malformed one, gets {@code -ERR invalid command}, counted against {@code max_errors}.
 */
final class Pop3FrontendHandler extends FrontendHandler<Pop3Request> {

  static final String OK = "+OK";
  static final String INVALID = "-ERR invalid command";
  /** RFC 1939 §7: the APOP digest is an MD5 in 32 hex digits. */
  private static final int APOP_DIGEST_LENGTH = 32;

  /** Where the session is in nginx's POP3 state machine. */
  private enum State {
    /** Any command may come. */
    START,
    /** USER was accepted: PASS, CAPA, NOOP and QUIT may come. */
    USER
  }

  private final SaslDialogue sasl;
  private State state = State.START;
  private String user;

  Pop3FrontendHandler(ClientSession session, RequestDecoder<Pop3Request> decoder) {
    super(session, decoder, Pop3Request.class);
    this.sasl = new SaslDialogue(session, new SaslFraming(), this::enabled);
  }

  @Override
  protected boolean isInvalid(Pop3Request request) {
    return request instanceof Pop3Request.Invalid;
  }

  @Override
  protected void reject(Pop3Request request, boolean close) {
    invalid(close);
  }

  @Override
  protected void onRequest(Pop3Request msg) {
    if (msg instanceof Pop3Request.Command command) {
      onCommand(command);
    } else if (msg instanceof Pop3Request.SaslResponse response) {
      sasl.onResponse(response.args());
    } else if (msg instanceof Pop3Request.Invalid invalid) {
      session.log().info(invalid.reason());
      invalid(invalid.close());
    }
  }

  private void onCommand(Pop3Request.Command command) {
    String name = command.name();
    List<String> args = command.args();
    if (state == State.USER && !isAllowedAfterUser(name)) {
      invalid(false);
      return;
    }
    switch (name) {
      case "USER":
        onUser(args);
        break;
      case "PASS":
        onPass(args);
        break;
      case "APOP":
        onApop(args);
        break;
      case "AUTH":
        onAuth(args);
        break;
      case "CAPA":
        session.writeRaw(Pop3Capabilities.capa(config(), session.starttlsAvailable(), session.authenticationNeedsTls()));
        break;
      case "STLS":
        if (session.starttlsAvailable()) {
          ClientTls.startTls(session, decoder, OK, this::afterStls);
        } else {
          invalid(false);
        }
        break;
      case "NOOP":
        session.writeLine(OK);
        break;
      case "QUIT":
        session.writeLineAndClose(OK);
        break;
      default:
        invalid(false);
        break;
    }
  }

  /** RFC 1939 §7 and nginx: after USER only PASS (or CAPA, NOOP, QUIT) may follow. */
  private static boolean isAllowedAfterUser(String name) {
    return name.equals("PASS") || name.equals("CAPA") || name.equals("NOOP") || name.equals("QUIT");
  }

  private void onUser(List<String> args) {
    if (session.authenticationNeedsTls()) {
      invalid(false);
      return;
    }
    if (args.size() != 1) {
      invalid(false);
      return;
    }
    user = args.get(0);
    state = State.USER;
    session.writeLine(OK);
  }

  private void onPass(List<String> args) {
    if (state != State.USER || args.size() != 1) {
      invalid(false);
      return;
    }
    Credentials credentials = Credentials.of(Mechanism.PLAIN, bytes(user), bytes(args.get(0)));
    login(credentials);
  }

  private void onApop(List<String> args) {
    if (session.authenticationNeedsTls()) {
      invalid(false);
      return;
    }
    if (args.size() != 2 || !config().auth().contains(Mechanism.APOP)) {
      invalid(false);
      return;
    }
    if (args.get(1).length() != APOP_DIGEST_LENGTH) {
      session.log().info("client sent invalid APOP digest");
      invalid(false);
      return;
    }
    // The digest proves knowledge of the password against this session's greeting timestamp (RFC 1939 §7).
    login(new Credentials(Mechanism.APOP, bytes(args.get(0)), bytes(args.get(1)), Optional.of(session.salt())));
  }

  private void onAuth(List<String> args) {
    if (session.authenticationNeedsTls()) {
      invalid(false);
      return;
    }
    if (args.isEmpty()) {
      session.writeRaw(Pop3Capabilities.authList(config()));
      return;
    }
    sasl.start(args);
  }

  /** PLAIN and LOGIN are always accepted, as in nginx; the others only when {@code pop3_auth} enables them. */
  private boolean enabled(Mechanism mechanism) {
    return mechanism == Mechanism.PLAIN || mechanism == Mechanism.LOGIN || config().auth().contains(mechanism);
  }

  private void login(Credentials credentials) {
    user = null;
    state = State.START;
    login(credentials, List.of());
  }

  /** RFC 2595 §4: after the upgrade the client starts over; nothing said in cleartext carries over. */
  private void afterStls() {
    user = null;
    state = State.START;
    sasl.abandon();
    session.armTimeout();
    resumeInput();
  }

  @Override
  public String authFailedReply(AuthResult.Rejected rejected) {
    return "-ERR " + rejected.message();
  }

  @Override
  public String temporaryFailureReply(String text) {
    return "-ERR [SYS/TEMP] " + text;
  }

  @Override
  public String saslErrorChallenge(String value) {
    return "+ " + value;
  }

  @Override
  public void authFailed(PendingSaslError pending) {
    state = State.START;
    if (pending != null) {
      sasl.awaitErrorAcknowledgement(pending);
      decoder.expectSaslResponse();
    }
    resumeInput();
  }

  /** {@code -ERR invalid command}, counted against {@code max_errors}; closes past the limit or when asked. */
  private void invalid(boolean close) {
    state = State.START;
    user = null;
    // A bad line in place of the error challenge's dummy response ends that exchange too (closing if it had to).
    boolean quit = sasl.abandon() || close;
    if (session.countErrorAndCheckLimit() || quit) {
      session.writeLineAndClose(INVALID);
    } else {
      session.writeLine(INVALID);
    }
  }

  /** POP3's side of the SASL dialogue: {@code + } challenges (RFC 5034 §4) and {@code -ERR}. */
  private final class SaslFraming implements SaslDialogue.Frontend {
    @Override
    public void sendChallenge(String payload) {
      session.writeLine("+ " + payload);
      decoder.expectSaslResponse();
    }

    @Override
    public void rejectCommand(boolean close) {
      invalid(close);
    }

    @Override
    public void login(Credentials credentials) {
      Pop3FrontendHandler.this.login(credentials);
    }
  }

  private Pop3Config config() {
    return session.config().pop3();
  }

  private static byte[] bytes(String chars) {
    return chars.getBytes(StandardCharsets.ISO_8859_1);
  }
}
