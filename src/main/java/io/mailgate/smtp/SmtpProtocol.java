package io.mailgate.smtp;

import io.mailgate.backend.BackendLogin;
import io.mailgate.config.ResolverConfig;
import io.mailgate.config.SmtpConfig;
import io.mailgate.resolver.ClientHost;
import io.mailgate.resolver.ClientNameResolver;
import io.mailgate.session.ClientSession;
import io.mailgate.session.MailProtocol;
import io.mailgate.session.PipelineNames;
import java.net.InetSocketAddress;
import java.util.Optional;

/** SMTP (RFC 5321, RFC 4954 AUTH, Postfix XCLIENT) before login, the way nginx's mail module speaks it. */
public final class SmtpProtocol implements MailProtocol {

  /**
   * AUTH lines and SASL responses may be this long whatever {@code smtp_client_buffer} says: RFC 4954 §4 allows 12,288
   * octets and OAuth bearer tokens run to several KB.
   */
  public static final int SASL_LINE_LIMIT = 16 * 1024;
  /** The greeting-delay guard's handler name. */
  static final String GREETING_DELAY = "smtp-greeting-delay";
  /** The client host name lookup's handler name ({@code resolver}). */
  static final String CLIENT_LOOKUP = "smtp-client-lookup";

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
    SmtpFrontendHandler frontend = new SmtpFrontendHandler(session, decoder);
    session.channel().pipeline()
        .addLast(PipelineNames.FRAMER, decoder)
        .addLast(PipelineNames.FRONTEND, frontend);
    Optional<ClientNameResolver> resolver = session.server().resolver();
    Optional<ResolverConfig> resolverConfig = session.config().resolver();
    if (resolver.isEmpty() || resolverConfig.isEmpty()) {
      greet(session);
      return;
    }
    if (!(session.clientAddress() instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      // nginx: a client on a unix-domain socket has no address to look up.
      frontend.setClientHost(ClientHost.TEMPUNAVAIL);
      greet(session);
      return;
    }
    session.channel().pipeline().addBefore(PipelineNames.FRAMER, CLIENT_LOOKUP, new SmtpClientLookup(session, frontend,
        resolver.get(), inet.getAddress(), resolverConfig.get().timeout(), () -> greet(session)));
  }

  /** The greeting, at once or after {@code smtp_greeting_delay}. */
  private static void greet(ClientSession session) {
    SmtpConfig smtp = session.config().smtp();
    String greeting = "220 " + session.config().serverName() + " ESMTP ready";
    if (smtp.greetingDelay().isZero() || smtp.greetingDelay().isNegative()) {
      session.writeLine(greeting);
      session.armTimeout();
    } else {
      // Before the framer, so that it sees decrypted input (after any TLS handler) and what the lookup held back.
      session.channel().pipeline().addBefore(PipelineNames.FRAMER, GREETING_DELAY, new SmtpGreetingDelay(session,
          greeting, smtp.greetingDelay()));
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

  @Override
  public String shutdownReply() {
    // RFC 5321 §3.8: 421 when the service must shut down; RFC 3463's 4.3.2, not accepting messages.
    return "421 4.3.2 Service shutting down";
  }

  @Override
  public String tooManyConnectionsReply() {
    // RFC 5321 §3.8 (421 closes the channel); RFC 3463's 4.7.0, a security or policy status.
    return "421 4.7.0 Too many connections";
  }
}
