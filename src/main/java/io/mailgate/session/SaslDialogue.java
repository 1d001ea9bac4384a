package io.mailgate.session;

import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.sasl.OAuthErrorAck;
import io.mailgate.sasl.Sasl;
import io.mailgate.sasl.SaslContext;
import io.mailgate.sasl.SaslExchange;
import io.mailgate.sasl.SaslStep;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A client's SASL conversation before login, written once for IMAP {@code AUTHENTICATE}, POP3 {@code AUTH} and SMTP
 * {@code AUTH}: picks the mechanism, steps the exchange, and handles the RFC 7628 §3.2.2 error challenge, whose failure
 * reply is held back until the client's dummy response (freenginx semantics; Fastmail's with
 * {@code oauth_fastmail_compat}). Only the wire framing ({@code + }, {@code 334 }) and the invalid-command reply belong
 * to the protocol, through {@link Frontend}. Used on the session's event loop only.
 */
public final class SaslDialogue {

  /** What the protocol's front end does for the dialogue. */
  public interface Frontend {

    /** Sends a challenge ({@code + <payload>} or {@code 334 <payload>}) and reads the next line as its response. */
    void sendChallenge(String payload);

    /** Sends the protocol's invalid-command reply (counted against {@code max_errors}); closes when asked. */
    void rejectCommand(boolean close);

    /** The client is identified: stop reading commands and start the {@link LoginFlow}. */
    void login(Credentials credentials);

    /** The error challenge was answered and its failure reply sent; the session goes on (IMAP forgets its tag). */
    default void errorExchangeFinished() {}
  }

  private final ClientSession session;
  private final Frontend frontend;
  private final Predicate<Mechanism> enabled;
  private final SaslContext context;
  private SaslExchange exchange;
  private Mechanism mechanism;
  private LoginFrontend.PendingSaslError pendingAck;

  /**
   * @param enabled which mechanisms this server accepts ({@code imap_auth} and friends, plus nginx's always-on ones)
   */
  public SaslDialogue(ClientSession session, Frontend frontend, Predicate<Mechanism> enabled) {
    this.session = session;
    this.frontend = frontend;
    this.enabled = enabled;
    this.context = new SaslContext(session::salt, session.config().oauthFastmailCompat());
  }

  /**
   * {@code AUTH <mechanism> [initial-response]}: the command's arguments as text. An unknown or disabled mechanism, or
   * the wrong number of arguments, is an invalid command.
   */
  public void start(List<String> args) {
    Optional<Mechanism> named = args.isEmpty() ? Optional.empty() : Mechanism.fromSaslName(args.get(0));
    if (named.isEmpty() || !enabled.test(named.get()) || !argumentCountFits(named.get(), args.size())) {
      frontend.rejectCommand(false);
      return;
    }
    mechanism = named.get();
    exchange = Sasl.start(mechanism, context);
    onStep(exchange.start(args.size() == 2 ? Optional.of(args.get(1)) : Optional.empty()));
  }

  /** CRAM-MD5 takes no initial response; the others take at most one (nginx's {@code ngx_mail_auth_parse}). */
  private static boolean argumentCountFits(Mechanism mechanism, int count) {
    return mechanism == Mechanism.CRAM_MD5 ? count == 1 : count <= 2;
  }

  /** True while the next client line belongs to this dialogue (a challenge or an error challenge is out). */
  public boolean awaitingResponse() {
    return exchange != null || pendingAck != null;
  }

  /** The mechanism of the last attempt, if any. */
  public Optional<Mechanism> lastMechanism() {
    return Optional.ofNullable(mechanism);
  }

  /** Records that a login by some other means (LOGIN, USER/PASS, APOP, smtp_auth none) is the last attempt. */
  public void attemptedWith(Mechanism other) {
    mechanism = other;
  }

  /** The client's line after a challenge, split into arguments (an empty line is one empty argument). */
  public void onResponse(List<String> args) {
    if (pendingAck != null) {
      onErrorChallengeAnswer(args);
    } else if (exchange == null) {
      frontend.rejectCommand(false);
    } else {
      onStep(exchange.next(args.isEmpty() ? "" : args.get(0)));
    }
  }

  /** From {@link LoginFrontend#authFailed}: the error challenge is out; its failure reply waits for the dummy. */
  public void awaitErrorAcknowledgement(LoginFrontend.PendingSaslError pending) {
    pendingAck = pending;
  }

  /**
   * Ends the dialogue without a reply of its own (the protocol is answering an unreadable line). Returns whether the
   * session must close: a pending error challenge that came without {@code Auth-Wait} ends it.
   */
  public boolean abandon() {
    boolean close = pendingAck != null && pendingAck.closeAfter();
    exchange = null;
    pendingAck = null;
    return close;
  }

  private void onStep(SaslStep step) {
    if (step instanceof SaslStep.Challenge challenge) {
      frontend.sendChallenge(challenge.payload());
    } else if (step instanceof SaslStep.Done done) {
      exchange = null;
      frontend.login(done.credentials());
    } else if (step instanceof SaslStep.Invalid invalid) {
      exchange = null;
      session.log().info(invalid.logMessage());
      frontend.rejectCommand(false);
    }
  }

  /** RFC 7628 §3.2.2: the client must answer the error challenge with a dummy response before it gets the failure. */
  private void onErrorChallengeAnswer(List<String> args) {
    LoginFrontend.PendingSaslError pending = pendingAck;
    pendingAck = null;
    boolean compat = session.config().oauthFastmailCompat();
    if (OAuthErrorAck.accepts(mechanism, args, compat)) {
      if (pending.closeAfter()) {
        session.writeLineAndClose(pending.failureReply());
      } else {
        session.writeLine(pending.failureReply());
        frontend.errorExchangeFinished();
      }
      return;
    }
    if (compat) {
      // Fastmail's original patch drops a client that answers the challenge with anything else.
      session.log().info("client sent invalid response to SASL error challenge");
      session.close();
      return;
    }
    frontend.rejectCommand(pending.closeAfter());
  }
}
