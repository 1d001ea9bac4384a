package io.mailgate.smtp;

import io.mailgate.backend.BackendLogin;
import io.mailgate.session.ClientSession;
import io.mailgate.session.MailProtocol;

/** SMTP before login: not implemented yet; every session gets the internal-error reply. */
public final class SmtpProtocol implements MailProtocol {

  @Override
  public String name() {
    return "smtp";
  }

  @Override
  public void startSession(ClientSession session) {
    session.log().warn("smtp is not implemented yet");
    session.internalError();
  }

  @Override
  public BackendLogin newBackendLogin(ClientSession session) {
    throw new UnsupportedOperationException("smtp is not implemented yet");
  }

  @Override
  public String internalErrorReply() {
    return "451 4.3.2 Internal server error";
  }
}
