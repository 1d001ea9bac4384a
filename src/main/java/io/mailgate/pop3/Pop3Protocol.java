package io.mailgate.pop3;

import io.mailgate.backend.BackendLogin;
import io.mailgate.codec.RequestDecoder;
import io.mailgate.config.Pop3Config;
import io.mailgate.sasl.Mechanism;
import io.mailgate.session.ClientSession;
import io.mailgate.session.MailProtocol;
import io.mailgate.session.PipelineNames;
import java.util.Optional;

/** POP3 (RFC 1939, RFC 2449, RFC 5034) before login, the way nginx's mail module speaks it. */
public final class Pop3Protocol implements MailProtocol {

  /**
   * AUTH lines and SASL responses may be this long whatever {@code pop3_client_buffer} says (nginx's fixed 128 bytes
   * cannot hold a bearer token): real OAuth tokens are 2-6 KB, and RFC 4954 §4 sets 12,288 octets for SMTP's AUTH.
   */
  public static final int SASL_LINE_LIMIT = 16 * 1024;

  @Override
  public String name() {
    return "pop3";
  }

  @Override
  public void startSession(ClientSession session) {
    Pop3Config pop3 = session.config().pop3();
    Pop3CommandParser parser = new Pop3CommandParser(pop3.clientBuffer(), SASL_LINE_LIMIT);
    RequestDecoder<Pop3Request> decoder =
        new RequestDecoder<>(parser, Math.multiplyExact(Math.max(pop3.clientBuffer(), SASL_LINE_LIMIT), 4));
    session.channel().pipeline()
        .addLast(PipelineNames.FRAMER, decoder)
        .addLast(PipelineNames.FRONTEND, new Pop3FrontendHandler(session, decoder));
    session.writeLine(greeting(session));
    session.armTimeout();
  }

  /**
   * {@code +OK POP3 ready}, followed by the session's timestamp when APOP or CRAM-MD5 may need it (RFC 1939 §7: the
   * APOP digest covers the greeting's timestamp; nginx reuses the same salt as the CRAM-MD5 challenge).
   */
  private static String greeting(ClientSession session) {
    Pop3Config pop3 = session.config().pop3();
    if (pop3.auth().contains(Mechanism.APOP) || pop3.auth().contains(Mechanism.CRAM_MD5)) {
      return "+OK POP3 ready " + session.salt();
    }
    return "+OK POP3 ready";
  }

  @Override
  public BackendLogin newBackendLogin(ClientSession session) {
    if (!session.config().proxyClientIdentity()) {
      return new Pop3BackendLogin();
    }
    return new Pop3BackendLogin(Optional.of(Pop3Xclient.of(session)), session.log());
  }

  @Override
  public String certificateErrorReply() {
    return "-ERR SSL certificate error";
  }

  @Override
  public String noCertificateReply() {
    return "-ERR No required SSL certificate";
  }

  @Override
  public String internalErrorReply() {
    return "-ERR internal server error";
  }

  @Override
  public String shutdownReply() {
    // RFC 3206's SYS/TEMP: the client may come back later.
    return "-ERR [SYS/TEMP] Server shutting down";
  }

  @Override
  public String tooManyConnectionsReply() {
    return "-ERR [SYS/TEMP] Too many connections";
  }
}
