package io.mailgate.imap;

import io.mailgate.auth.AuthResult;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.session.ClientSession;
import io.mailgate.session.ClientTls;
import io.mailgate.session.FrontendHandler;
import io.mailgate.session.SaslDialogue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The IMAP state machine before login: CAPABILITY, NOOP, LOGOUT, ID, LOGIN and AUTHENTICATE (with every SASL mechanism),
 * replies worded as nginx's. Tags are copied per command; a tag-less invalid line is answered {@code * BAD}, and the
 * tag is forgotten after each authentication attempt (freenginx's tag fix) except while an RFC 7628 error challenge
 * waits for the client's dummy response, whose final reply carries the AUTHENTICATE tag.
 */
final class ImapFrontendHandler extends FrontendHandler<ImapRequest> {

  private final SaslDialogue sasl;
  /** The tag of the command being answered; null when none (tag-less replies use {@code *}). */
  private String tag;
  /** The fields of the client's last ID before login ({@link ImapIdList#NIL} when it sent none). */
  private ImapIdList clientId = ImapIdList.NIL;

  ImapFrontendHandler(ClientSession session, ImapCommandDecoder decoder) {
    super(session, decoder, ImapRequest.class);
    this.sasl = new SaslDialogue(session, new SaslFraming(), this::enabled);
  }

  /** The tag of the login command in progress (the backend LOGIN reuses it). */
  String currentTag() {
    return tag;
  }

  /** The client's own ID fields, for the backend's ID ({@code proxy_client_identity on}). */
  ImapIdList clientId() {
    return clientId;
  }

  @Override
  protected boolean isInvalid(ImapRequest request) {
    return request instanceof ImapRequest.Invalid;
  }

  @Override
  protected void reject(ImapRequest request, boolean close) {
    if (request instanceof ImapRequest.Command command) {
      tag = command.tag();
    }
    bad(close);
  }

  @Override
  protected void onRequest(ImapRequest msg) {
    if (msg instanceof ImapRequest.Command command) {
      onCommand(command);
    } else if (msg instanceof ImapRequest.SaslResponse response) {
      sasl.onResponse(response.args());
    } else if (msg instanceof ImapRequest.Invalid invalid) {
      if (!sasl.awaitingResponse()) {
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
        session.writeLine("* CAPABILITY " + ImapCapabilities.of(session.config().imap(), session.starttlsAvailable(),
            session.authenticationNeedsTls()));
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
        // RFC 2971: answered when the operator advertises ID or forwards the client's identity, otherwise unknown as
        // in nginx.
        if (ImapCapabilities.advertisesId(session.config().imap()) || session.config().proxyClientIdentity()) {
          onId(args);
        } else {
          bad(false);
        }
        break;
      case "LOGIN":
      case "AUTHENTICATE":
        if (session.authenticationNeedsTls()) {
          // starttls only: LOGINDISABLED until the upgrade.
          bad(false);
        } else if (command.name().equals("LOGIN")) {
          onLogin(args);
        } else {
          onAuthenticate(args);
        }
        break;
      case "STARTTLS":
        if (session.starttlsAvailable()) {
          ClientTls.startTls(session, decoder, tag + " OK completed", this::afterStarttls);
          tag = null;
        } else {
          bad(false);
        }
        break;
      default:
        bad(false);
        break;
    }
  }

  /**
   * Answers ID locally with {@code imap_id_fields} ({@code * ID NIL} when none), as Dovecot's imap-login does before
   * login, and keeps the client's fields for the backend. A later ID replaces an earlier one: Dovecot, too, retains
   * the fields of the client's last ID for its proxied ID ({@code imap_id_retain}); mailgate's own address fields are
   * not the client's to set, so there is no first-ID-wins rule to keep.
   */
  private void onId(List<byte[]> args) {
    ImapIdList.Parsed parsed = ImapIdList.parse(args);
    if (parsed instanceof ImapIdList.Malformed malformed) {
      session.log().info("client sent invalid ID: " + malformed.reason());
      bad(false);
      return;
    }
    clientId = ((ImapIdList.Valid) parsed).list();
    session.writeLine("* ID " + ImapIdList.ofPairs(session.config().imap().idFields()).wire());
    ok();
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
    login(Credentials.of(Mechanism.PLAIN, args.get(0), args.get(1)), List.of());
  }

  private void onAuthenticate(List<byte[]> args) {
    List<String> words = new ArrayList<>(args.size());
    args.forEach(arg -> words.add(ascii(arg)));
    sasl.start(words);
  }

  /** PLAIN and LOGIN are always accepted, as in nginx; the others only when {@code imap_auth} enables them. */
  private boolean enabled(Mechanism mechanism) {
    return mechanism == Mechanism.PLAIN || mechanism == Mechanism.LOGIN
        || session.config().imap().auth().contains(mechanism);
  }

  /** RFC 3501 §6.2.1: after the upgrade the client starts over; nothing said in cleartext carries over. */
  private void afterStarttls() {
    tag = null;
    clientId = ImapIdList.NIL;
    sasl.abandon();
    session.armTimeout();
    resumeInput();
  }

  @Override
  public String authFailedReply(AuthResult.Rejected rejected) {
    return tagOrStar() + " NO " + rejected.message();
  }

  @Override
  public String temporaryFailureReply(String text) {
    return tagOrStar() + " NO [UNAVAILABLE] " + text;
  }

  @Override
  public String saslErrorChallenge(String value) {
    return "+ " + value;
  }

  @Override
  public void authFailed(PendingSaslError pending) {
    if (pending != null) {
      sasl.awaitErrorAcknowledgement(pending);
      decoder.expectSaslResponse();
    } else {
      tag = null;
    }
    resumeInput();
  }

  private void ok() {
    session.writeLine(tagOrStar() + " OK completed");
    tag = null;
  }

  /** {@code <tag> BAD invalid command}, counted against {@code max_errors}; closes past the limit or when asked. */
  private void bad(boolean close) {
    String line = tagOrStar() + " BAD invalid command";
    // A bad line in place of the error challenge's dummy response ends that exchange too (closing if it had to).
    boolean quit = sasl.abandon() || close;
    tag = null;
    if (session.countErrorAndCheckLimit() || quit) {
      session.writeLineAndClose(line);
    } else {
      session.writeLine(line);
    }
  }

  /** IMAP's side of the SASL dialogue: {@code + } challenges (RFC 3501 §7.5) and tagged {@code BAD}. */
  private final class SaslFraming implements SaslDialogue.Frontend {
    @Override
    public void sendChallenge(String payload) {
      session.writeLine("+ " + payload);
      decoder.expectSaslResponse();
    }

    @Override
    public void rejectCommand(boolean close) {
      bad(close);
    }

    @Override
    public void login(Credentials credentials) {
      ImapFrontendHandler.this.login(credentials, List.of());
    }

    @Override
    public void errorExchangeFinished() {
      tag = null;
    }
  }

  private String tagOrStar() {
    return tag == null ? "*" : tag;
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
