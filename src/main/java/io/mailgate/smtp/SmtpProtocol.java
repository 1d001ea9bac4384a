package io.mailgate.smtp;

import io.mailgate.backend.BackendLogin;
import io.mailgate.config.SmtpConfig;
import io.mailgate.session.ClientSession;
import io.mailgate.session.MailProtocol;
import io.mailgate.session.PipelineNames;

/** SMTP (RFC 5321, RFC 4954 AUTH, Postfix XCLIENT) before login, the way nginx's mail module speaks it. */
public final class SmtpProtocol implements MailProtocol {

  /**
   * AUTH lines and SASL responses may be this long whatever {@code smtp_client_buffer} says: RFC 4954 §4 allows 12,288
   * octets and OAuth bearer tokens run to several KB.
   */
  public static final int SASL_LINE_LIMIT = 16 * 1024;
  /** The greeting-delay guard's handler name. */
  static final String GREETING_DELAY = "smtp-greeting-delay";

  @Override
  public String name() {
    return "smtp";
  }

  @Override
  public void startSession(ClientSession session) {
    SmtpConfig smtp = session.config().smtp();
    // Pipelined input held during a login is bounded apart from the line limit: nginx-tests pipelines more than a
    // 128-byte smtp_client_buffer, and RFC 2920 clients send whole transactions at once.
    int pausedLimit = Math.multiplyExact(Math.max(smtp.clientBuffer(), SASL_LINE_LIMIT), 4);
    SmtpCommandDecoder decoder = new SmtpCommandDecoder(smtp.clientBuffer(), SASL_LINE_LIMIT, pausedLimit);
    session.channel().pipeline()
        .addLast(PipelineNames.FRAMER, decoder)
        .addLast(PipelineNames.FRONTEND, new SmtpFrontendHandler(session, decoder));
    String greeting = "220 " + session.config().serverName() + " ESMTP ready";
    if (smtp.greetingDelay().isZero() || smtp.greetingDelay().isNegative()) {
      session.writeLine(greeting);
      session.armTimeout();
    } else {
      session.channel().pipeline().addFirst(GREETING_DELAY, new SmtpGreetingDelay(session, greeting,
          smtp.greetingDelay()));
    }
  }

  @Override
  public BackendLogin newBackendLogin(ClientSession session) {
    SmtpFrontendHandler frontend = session.channel().pipeline().get(SmtpFrontendHandler.class);
    return new SmtpBackendLogin(frontend.loginPlan());
  }

  /** nginx lets an SMTP login go on without a password: only {@code proxy_smtp_auth} needs one. */
  @Override
  public boolean backendLoginNeedsPassword() {
    return false;
  }

  @Override
  public String certificateErrorReply() {
    return "421 4.7.1 SSL certificate error";
  }

  @Override
  public String noCertificateReply() {
    return "421 4.7.1 No required SSL certificate";
  }

  @Override
  public String internalErrorReply() {
    return "451 4.3.2 Internal server error";
  }
}
