package io.mailgate.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's error-log voice. Each line carries nginx's context, so lines of many sessions sharing one thread can be
 * told apart: {@code *7 client login failed: "bad" while in http auth state, client: 10.0.0.1, server: 0.0.0.0:143,
 * login: "alice", upstream: 10.0.0.9:143, session: 5f3a9c0100000007}. The session id comes last, after nginx's own
 * context, so that what nginx prints (and nginx-tests match) is unchanged; it is the id of the access-log line and of
 * the auth service's {@code X-Mailgate-Session-Id}. Never hand it a secret: it has no way to tell one from a user name.
 * Used only on the session's event loop.
 */
public final class SessionLog {

  private final Logger logger;
  private final long connection;
  private String client;
  private final String server;
  private final String sessionId;
  private String login;
  private String upstream;
  private String action;

  /**
   * @param loggerName the server's logger ({@link ErrorLogs#serverLoggerName(int)})
   * @param connection nginx's connection number, printed as {@code *N}
   * @param sessionId the session id ({@code io.mailgate.session.SessionIds}), printed last as {@code session: ID}
   */
  public SessionLog(String loggerName, long connection, String client, String server, String sessionId) {
    this.logger = LoggerFactory.getLogger(loggerName);
    this.connection = connection;
    this.client = client;
    this.server = server;
    this.sessionId = sessionId;
  }

  /** Notes a connection just accepted, as nginx does (ngx_mail_init_connection): {@code client ... connected to ...}. */
  public void accepted() {
    if (logger.isDebugEnabled()) {
      logger.debug("*" + connection + " accept: " + client + " on " + server + ", session: " + sessionId);
    }
    if (logger.isInfoEnabled()) {
      logger.info("*" + connection + " client " + client + " connected to " + server + ", session: " + sessionId);
    }
  }

  /** The client's address once a trusted PROXY protocol header named the real one ({@code set_real_ip_from}). */
  public void setClient(String client) {
    this.client = client;
  }

  /** The user name once known (sanitized when printed). */
  public void setLogin(String login) {
    this.login = login;
  }

  /** The backend address once routed. */
  public void setUpstream(String upstream) {
    this.upstream = upstream;
  }

  /** What the session is doing, printed as {@code while <action>}; null for none. */
  public void setAction(String action) {
    this.action = action;
  }

  /** Client mistakes and session outcomes. */
  public void info(String message) {
    if (logger.isInfoEnabled()) {
      logger.info(line(message));
    }
  }

  /** Phase changes. */
  public void debug(String message) {
    if (logger.isDebugEnabled()) {
      logger.debug(line(message));
    }
  }

  /** Something an operator must fix (auth service or backend misbehaving). */
  public void error(String message) {
    logger.error(line(message));
  }

  /** A warning. */
  public void warn(String message) {
    logger.warn(line(message));
  }

  /** An unexpected failure, with its stack trace. */
  public void error(String message, Throwable cause) {
    logger.error(line(message), cause);
  }

  private String line(String message) {
    StringBuilder b = new StringBuilder(128).append('*').append(connection).append(' ').append(message);
    if (action != null) {
      b.append(" while ").append(action);
    }
    b.append(", client: ").append(client).append(", server: ").append(server);
    if (login != null) {
      b.append(", login: \"").append(Sanitize.forLog(login, 256)).append('"');
    }
    if (upstream != null) {
      b.append(", upstream: ").append(upstream);
    }
    return b.append(", session: ").append(sessionId).toString();
  }
}
