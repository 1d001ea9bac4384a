package io.mailgate.pop3;

import io.mailgate.backend.BackendLogin;
import io.mailgate.session.ClientSession;
import io.mailgate.session.MailProtocol;

/** POP3 before login: not implemented yet; every session gets the internal-error reply. */
public final class Pop3Protocol implements MailProtocol {

  @Override
  public String name() {
    return "pop3";
  }

  @Override
  public void startSession(ClientSession session) {
    session.log().warn("pop3 is not implemented yet");
    session.internalError();
  }

  @Override
  public BackendLogin newBackendLogin(ClientSession session) {
    throw new UnsupportedOperationException("pop3 is not implemented yet");
  }

  @Override
  public String internalErrorReply() {
    return "-ERR internal server error";
  }
}
