package io.mailgate.session;

import io.mailgate.sasl.Mechanism;
import java.net.SocketAddress;

/** Tests outside this package: moves a {@link SessionRecord} along as a live session does. */
public final class SessionRecordDriver {

  private SessionRecordDriver() {}

  public static void client(SessionRecord r, SocketAddress client) {
    r.client(client);
  }

  public static void tls(SessionRecord r, String protocol, String cipher) {
    r.tls(protocol, cipher);
  }

  public static void login(SessionRecord r, String user, Mechanism mechanism) {
    r.user(user);
    r.mechanism(mechanism);
  }

  public static void backend(SessionRecord r, String backend) {
    r.backend(backend);
  }

  public static void enter(SessionRecord r, SessionPhase phase) {
    r.enter(phase);
  }

  public static void loginFinished(SessionRecord r, LoginOutcome outcome) {
    r.loginFinished(outcome);
  }
}
