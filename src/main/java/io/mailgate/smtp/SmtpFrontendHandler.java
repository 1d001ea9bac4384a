package io.mailgate.smtp;

import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.config.SmtpConfig;
import io.mailgate.resolver.ClientHost;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.session.ClientSession;
import io.mailgate.session.ClientTls;
import io.mailgate.session.FrontendHandler;
import io.mailgate.session.SaslDialogue;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SMTP state machine before login (RFC 5321, RFC 4954), replies worded as nginx's: HELO/EHLO, AUTH with every SASL
 * mechanism, and for {@code smtp_auth none} MAIL FROM and RCPT TO, which go to the auth service as
 * {@code Auth-SMTP-*} headers; RSET, NOOP, QUIT. Everything else is {@code 500 5.5.1 Invalid command}.
 */
final class SmtpFrontendHandler extends FrontendHandler<SmtpRequest> {

  static final String OK = "250 2.0.0 OK";
  static final String BYE = "221 2.0.0 Bye";
  static final String START_TLS = "220 2.0.0 Start TLS";
  static final String INVALID_COMMAND = "500 5.5.1 Invalid command";
  static final String INVALID_ARGUMENT = "501 5.5.4 Invalid argument";
  static final String AUTH_REQUIRED = "530 5.7.1 Authentication required";
  static final String BAD_SEQUENCE = "503 5.5.1 Bad sequence of commands";
  /** RFC 4954 §4: the failure code when the auth service names none ({@code Auth-Error-Code}). */
  static final String DEFAULT_ERROR_CODE = "535 5.7.0";
  /** The client's host name without a {@code resolver} (nginx's default). */
  static final String UNAVAILABLE_HOST = ClientHost.UNAVAILABLE;

  private final SmtpConfig smtp;
  private final SaslDialogue sasl;
  /** The last HELO/EHLO line (verb and argument, as sent), or null. */
  private byte[] heloLine;
  private byte[] heloArgument;
  private boolean esmtp;
  /** The accepted MAIL FROM line of {@code smtp_auth none}, or null. */
  private byte[] mailFrom;
  private byte[] rcptTo;
  /** {@code Client-Host} and XCLIENT {@code NAME=}: found by the {@code resolver} before the greeting. */
  private String clientHost = UNAVAILABLE_HOST;

  SmtpFrontendHandler(ClientSession session, SmtpCommandDecoder decoder) {
    super(session, decoder, SmtpRequest.class);
    this.smtp = session.config().smtp();
    this.sasl = new SaslDialogue(session, new SaslFraming(), this::enabled);
  }

  /** What the backend login needs from this session; asked once the auth service has accepted the client. */
  SmtpLoginPlan loginPlan() {
    Optional<SmtpLoginPlan.Envelope> envelope = sasl.lastMechanism().orElse(null) == Mechanism.NONE
        ? Optional.of(new SmtpLoginPlan.Envelope(mailFrom, rcptTo)) : Optional.empty();
    return new SmtpLoginPlan(session.config().serverName(), smtp.xclient(), smtp.proxySmtpAuth(), xclientFacts(),
        Optional.ofNullable(heloLine), esmtp, envelope, SmtpCapabilities.promisedKeywords(smtp), session.log());
  }

  private SmtpXclient xclientFacts() {
    return new SmtpXclient(SmtpXclient.addressText(session.clientIp()), inet(session.clientAddress()), clientHost,
        Optional.ofNullable(heloArgument), esmtp, inet(session.connectedAddress()));
  }

  /** An IP address and port; a unix socket (or an unresolved address) has none. */
  private static Optional<InetSocketAddress> inet(SocketAddress address) {
    return address instanceof InetSocketAddress inet && inet.getAddress() != null ? Optional.of(inet)
        : Optional.empty();
  }

  @Override
  protected boolean isInvalid(SmtpRequest request) {
    return request instanceof SmtpRequest.Invalid;
  }

  @Override
  protected void reject(SmtpRequest request, boolean close) {
    invalidCommand(close);
  }

  @Override
  protected void onRequest(SmtpRequest msg) {
    if (msg instanceof SmtpRequest.Command command) {
      onCommand(command);
    } else if (msg instanceof SmtpRequest.SaslResponse response) {
      sasl.onResponse(response.args());
    } else if (msg instanceof SmtpRequest.Invalid invalid) {
      session.log().info(invalid.logReason());
      invalidCommand(invalid.close());
    }
  }

  private void onCommand(SmtpRequest.Command command) {
    List<byte[]> args = command.args();
    switch (command.verb()) {
      case HELO:
      case EHLO:
        onHelo(command);
        break;
      case AUTH:
        onAuth(args);
        break;
      case MAIL:
        onMail(command);
        break;
      case RCPT:
        onRcpt(command);
        break;
      case RSET:
        mailFrom = null;
        rcptTo = null;
        session.writeLine(OK);
        break;
      case NOOP:
        session.writeLine(OK);
        break;
      case QUIT:
        session.writeLineAndClose(BYE);
        break;
      case STARTTLS:
        if (session.starttlsAvailable()) {
          // RFC 3207 §4.2: everything learnt before the upgrade is forgotten.
          forgetClientState();
          ClientTls.startTls(session, decoder, START_TLS, this::afterStarttls);
        } else {
          invalidCommand(false);
        }
        break;
      default:
        // VRFY, EXPN, HELP: nginx never answers them.
        invalidCommand(false);
        break;
    }
  }

  private void onHelo(SmtpRequest.Command command) {
    if (command.args().size() != 1) {
      session.writeLine(INVALID_ARGUMENT);
      return;
    }
    heloLine = command.line();
    heloArgument = command.args().get(0);
    esmtp = command.verb() == SmtpVerb.EHLO;
    // RFC 5321 §4.1.4: HELO/EHLO resets the transaction.
    mailFrom = null;
    rcptTo = null;
    String serverName = session.config().serverName();
    if (esmtp) {
      List<String> reply = SmtpCapabilities.ehloReply(serverName, smtp, session.starttlsAvailable(),
          session.authenticationNeedsTls());
      session.writeRaw(String.join("\r\n", reply) + "\r\n");
    } else {
      session.writeLine("250 " + serverName);
    }
  }

  private void onAuth(List<byte[]> args) {
    if (session.authenticationNeedsTls()) {
      invalidCommand(false);
      return;
    }
    if (args.isEmpty()) {
      session.writeLine(INVALID_ARGUMENT);
      return;
    }
    List<String> words = new ArrayList<>(args.size());
    args.forEach(arg -> words.add(ascii(arg)));
    sasl.start(words);
  }

  /** PLAIN and LOGIN are always accepted, as in nginx; the others only when {@code smtp_auth} enables them. */
  private boolean enabled(Mechanism mechanism) {
    return mechanism == Mechanism.PLAIN || mechanism == Mechanism.LOGIN || smtp.auth().contains(mechanism);
  }

  private void onMail(SmtpRequest.Command command) {
    if (!smtp.auth().contains(Mechanism.NONE)) {
      session.log().info("client was rejected: MAIL before authentication");
      session.writeLine(AUTH_REQUIRED);
      return;
    }
    if (mailFrom != null) {
      session.writeLine(BAD_SEQUENCE);
      return;
    }
    if (command.args().isEmpty()) {
      session.writeLine(INVALID_ARGUMENT);
      return;
    }
    mailFrom = command.line();
    session.writeLine(OK);
  }

  private void onRcpt(SmtpRequest.Command command) {
    if (mailFrom == null) {
      session.writeLine(BAD_SEQUENCE);
      return;
    }
    if (command.args().isEmpty()) {
      session.writeLine(INVALID_ARGUMENT);
      return;
    }
    rcptTo = command.line();
    sasl.attemptedWith(Mechanism.NONE);
    // MX mode: no credentials at all, so nothing of an earlier AUTH attempt reaches the auth service (nginx 9c02c84a7).
    List<AuthRequest.Header> headers = List.of(
        new AuthRequest.Header("Auth-SMTP-Helo", heloArgument == null ? "" : ascii(heloArgument)),
        new AuthRequest.Header("Auth-SMTP-From", ascii(mailFrom)),
        new AuthRequest.Header("Auth-SMTP-To", ascii(rcptTo)));
    login(Credentials.of(Mechanism.NONE, new byte[0], new byte[0]), headers);
  }

  /** The client's host name, a confirmed one or a placeholder ({@code [UNAVAILABLE]}, {@code [TEMPUNAVAIL]}). */
  void setClientHost(String name) {
    clientHost = name;
  }

  @Override
  public Optional<String> clientHost() {
    return Optional.of(clientHost);
  }

  @Override
  public String authFailedReply(AuthResult.Rejected rejected) {
    return rejected.errorCode().orElse(DEFAULT_ERROR_CODE) + " " + rejected.message();
  }

  @Override
  public String temporaryFailureReply(String text) {
    return "454 4.7.0 " + text;
  }

  @Override
  public String saslErrorChallenge(String value) {
    return "334 " + value;
  }

  @Override
  public void authFailed(PendingSaslError pending) {
    if (pending != null) {
      sasl.awaitErrorAcknowledgement(pending);
      decoder.expectSaslResponse();
    }
    resumeInput();
  }

  /** {@code 500 5.5.1 Invalid command}, counted against {@code max_errors}; closes past the limit or when asked. */
  private void invalidCommand(boolean close) {
    // A bad line in place of the error challenge's dummy response ends that exchange too (closing if it had to).
    boolean quit = sasl.abandon() || close;
    if (session.countErrorAndCheckLimit() || quit) {
      session.writeLineAndClose(INVALID_COMMAND);
    } else {
      session.writeLine(INVALID_COMMAND);
    }
  }

  private void forgetClientState() {
    heloLine = null;
    heloArgument = null;
    esmtp = false;
    mailFrom = null;
    rcptTo = null;
    sasl.abandon();
  }

  private void afterStarttls() {
    session.armTimeout();
    resumeInput();
  }

  /** SMTP's side of the SASL dialogue: {@code 334} challenges (RFC 4954 §4) and {@code 500}. */
  private final class SaslFraming implements SaslDialogue.Frontend {
    @Override
    public void sendChallenge(String payload) {
      session.writeLine("334 " + payload);
      decoder.expectSaslResponse();
    }

    @Override
    public void rejectCommand(boolean close) {
      invalidCommand(close);
    }

    @Override
    public void login(Credentials credentials) {
      SmtpFrontendHandler.this.login(credentials, List.of());
    }
  }

  private static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
