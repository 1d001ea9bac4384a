package io.mailgate.throttle;

import io.mailgate.config.ThrottleConfig;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's connection limits on the shared counters: sessions not yet logged in per client address and per
 * listener, and logged-in (relaying) sessions per client address. Pre-auth and relaying sessions are capped
 * separately, so that a flood of idle connections that never log in cannot keep logged-in users out.
 */
public final class ConnectionLimits {

  /** The refusal labels of {@code connectionRefused}. */
  public static final String PREAUTH_PER_CLIENT = "preauth_per_client";
  public static final String PREAUTH_PER_LISTENER = "preauth_per_listener";
  public static final String SESSIONS_PER_CLIENT = "sessions_per_client";

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

  /** The counters every server and every configuration share (kept across reloads, so counts stay right). */
  public record Counters(ConnectionCounters preauthPerClient, ConnectionCounters preauthPerListener,
      ConnectionCounters sessionsPerClient) {
    public Counters() {
      this(new ConnectionCounters(), new ConnectionCounters(), new ConnectionCounters());
    }
  }

  private final ThrottleConfig.Limits limits;
  private final Counters counters;
  /** One line per 10 s (per server) about refused connections: a flood would otherwise fill the error log. */
  private final RateLimitedLog refusals = new RateLimitedLog(TimeUnit.SECONDS.toNanos(10));

  public ConnectionLimits(ThrottleConfig.Limits limits, Counters counters) {
    this.limits = limits;
    this.counters = counters;
  }

  /** Whether any limit applies (when none does, sessions get {@link SessionSlots#NONE} and nothing is counted). */
  public boolean active() {
    return limits.any();
  }

  /** Slots for a new session of this server, still holding nothing. */
  public SessionSlots newSlots() {
    return active() ? new SessionSlots(counters) : SessionSlots.NONE;
  }

  /**
   * Takes the pre-auth slots of a session whose client is now known (after the PROXY header).
   *
   * @param client the client's address as text; {@code null} for a unix-socket client, which no per-client limit
   *     counts
   * @param listener the listen address as configured
   * @return the label of the limit that refuses the session, or {@code null} when it is admitted
   */
  public String admitPreauth(SessionSlots slots, String client, String listener) {
    if (slots == SessionSlots.NONE) {
      return null;
    }
    boolean perClient = client != null && limits.preauthPerClient() > 0;
    if (perClient && !counters.preauthPerClient().tryAcquire(client, limits.preauthPerClient())) {
      return refused(PREAUTH_PER_CLIENT, client, listener);
    }
    if (limits.preauthPerListener() > 0
        && !counters.preauthPerListener().tryAcquire(listener, limits.preauthPerListener())) {
      if (perClient) {
        counters.preauthPerClient().release(client);
      }
      return refused(PREAUTH_PER_LISTENER, client, listener);
    }
    slots.holdPreauth(perClient ? client : null, limits.preauthPerListener() > 0 ? listener : null);
    return null;
  }

  /**
   * A session's login is about to relay: takes its relaying slot and gives back its pre-auth ones.
   *
   * @return the label of the limit that refuses it, or {@code null} when it may relay
   */
  public String enterRelay(SessionSlots slots, String client, String listener) {
    if (slots == SessionSlots.NONE) {
      return null;
    }
    if (client != null && limits.sessionsPerClient() > 0) {
      if (!counters.sessionsPerClient().tryAcquire(client, limits.sessionsPerClient())) {
        return refused(SESSIONS_PER_CLIENT, client, listener);
      }
      slots.holdRelay(client);
    }
    slots.releasePreauth();
    return null;
  }

  private String refused(String limit, String client, String listener) {
    long held = refusals.tryAcquire();
    if (held >= 0) {
      LOG.info("limiting connections by {}, client: {}, server: {}{}", limit, client == null ? "unix:" : client,
          listener, held > 0 ? " (" + held + " more refusals not logged)" : "");
    }
    return limit;
  }
}
