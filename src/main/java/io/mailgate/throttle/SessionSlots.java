package io.mailgate.throttle;

/**
 * The connection counts one session holds: pre-auth ones (its client address, its listener) until it logs in, then
 * a relaying one (its client address). Each is given back once: moving to the relay gives back the pre-auth ones,
 * and the close gives back whatever is still held, so a session is never counted twice nor released twice. Touched
 * on the session's event loop only (the close listener runs there too).
 */
public final class SessionSlots {

  /** Holds nothing and takes nothing: the slots of a session under no limit. */
  public static final SessionSlots NONE = new SessionSlots(null);

  private final ConnectionLimits.Counters counters;
  private String preauthClient;
  private String preauthListener;
  private String relayClient;

  SessionSlots(ConnectionLimits.Counters counters) {
    this.counters = counters;
  }

  void holdPreauth(String client, String listener) {
    this.preauthClient = client;
    this.preauthListener = listener;
  }

  void holdRelay(String client) {
    this.relayClient = client;
  }

  /** Gives back the pre-auth counts (the session logs in). */
  void releasePreauth() {
    if (preauthClient != null) {
      counters.preauthPerClient().release(preauthClient);
      preauthClient = null;
    }
    if (preauthListener != null) {
      counters.preauthPerListener().release(preauthListener);
      preauthListener = null;
    }
  }

  /** The connection closed: gives back everything still held. */
  public void release() {
    if (counters == null) {
      return;
    }
    releasePreauth();
    if (relayClient != null) {
      counters.sessionsPerClient().release(relayClient);
      relayClient = null;
    }
  }
}
