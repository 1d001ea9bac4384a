package io.mailgate.session;

/** Names of the handlers in client and backend pipelines, in one place (as Velocity's {@code Connections}). */
public final class PipelineNames {

  /** The protocol's command framer (client side; the backend side's names are on BackendConnector). */
  public static final String FRAMER = "framer";
  /** The protocol's pre-login state machine. */
  public static final String FRONTEND = "frontend";
  /** The byte pump after login. */
  public static final String RELAY = "relay";

  private PipelineNames() {}
}
