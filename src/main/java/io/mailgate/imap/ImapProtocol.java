package io.mailgate.imap;

import io.mailgate.backend.BackendLogin;
import io.mailgate.session.ClientSession;
import io.mailgate.session.MailProtocol;
import io.mailgate.session.PipelineNames;
import java.util.Optional;
import java.util.Set;

/** IMAP4rev1 (RFC 3501) before login, the way nginx's mail module speaks it. */
public final class ImapProtocol implements MailProtocol {

  /**
   * SASL lines ({@code AUTHENTICATE} and its continuations) may be this long whatever {@code imap_client_buffer} says:
   * real OAuth bearer tokens are 2-6 KB, and RFC 4954 §4 sets 12,288 octets for SMTP's equivalent.
   */
  public static final int SASL_LINE_LIMIT = 16 * 1024;

  /** Commands the front end knows; anything else is {@code BAD} (a literal on it is still consumed). */
  static final Set<String> KNOWN_COMMANDS =
      Set.of("CAPABILITY", "NOOP", "LOGOUT", "LOGIN", "AUTHENTICATE", "STARTTLS", "ID");

  @Override
  public String name() {
    return "imap";
  }

  @Override
  public void startSession(ClientSession session) {
    ImapCommandDecoder decoder =
        new ImapCommandDecoder(session.config().imap().clientBuffer(), SASL_LINE_LIMIT, KNOWN_COMMANDS);
    session.channel().pipeline()
        .addLast(PipelineNames.FRAMER, decoder)
        .addLast(PipelineNames.FRONTEND, new ImapFrontendHandler(session, decoder));
    session.writeLine("* OK IMAP4 ready");
    session.armTimeout();
  }

  @Override
  public BackendLogin newBackendLogin(ClientSession session) {
    ImapFrontendHandler frontend = session.channel().pipeline().get(ImapFrontendHandler.class);
    if (!session.config().proxyClientIdentity()) {
      return new ImapBackendLogin(frontend.currentTag());
    }
    ImapIdList id = ImapForwardedId.of(frontend.clientId(), session.clientAddress(), session.connectedAddress(),
        session.record().id(), ImapBackendLogin.ID_COMMAND_OVERHEAD, session.log()::debug);
    return new ImapBackendLogin(frontend.currentTag(), Optional.of(id), session.log()::debug);
  }

  @Override
  public String certificateErrorReply() {
    return "* BYE SSL certificate error";
  }

  @Override
  public String noCertificateReply() {
    return "* BYE No required SSL certificate";
  }

  @Override
  public String internalErrorReply() {
    return "* BAD internal server error";
  }

  @Override
  public String shutdownReply() {
    return "* BYE Server shutting down";
  }

  @Override
  public String tooManyConnectionsReply() {
    return "* BYE Too many connections";
  }
}
