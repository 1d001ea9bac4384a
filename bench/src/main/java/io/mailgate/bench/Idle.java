package io.mailgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Idle sessions: logs in N sessions (a bounded number of logins in flight), announces when all are established (a
 * JSON line on stdout and, if asked, a ready file: the orchestrator samples the proxy's memory then), holds them for
 * a while, then logs every one out.
 */
final class Idle implements ClientSession.Listener {

  /** Files this process needs besides one per session: JDK jars, epoll descriptors, stdio. */
  static final int SPARE_FILES = 200;

  private enum Phase { SETUP, HOLD, LOGOUT }

  private final Options o;
  private final Set<ClientSession> alive = ConcurrentHashMap.newKeySet();
  private final AtomicInteger toStart;
  private final CountDownLatch setupDone;
  private final LongAdder setupErrors = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder logoutErrors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private volatile Phase phase = Phase.SETUP;
  private volatile CountDownLatch logoutDone;
  private Client client;

  Idle(Options o) {
    this.o = o;
    this.toStart = new AtomicInteger(o.sessions());
    this.setupDone = new CountDownLatch(o.sessions());
  }

  /** Throws with advice if this process may not open enough files for {@code sessions} connections. */
  static void checkFileLimit(int sessions) {
    long limit = ProcStats.openFileLimit();
    long needed = (long) sessions + SPARE_FILES;
    if (limit >= 0 && limit < needed) {
      throw new IllegalStateException("idle: " + sessions + " sessions need about " + needed
          + " open files, but this process may open only " + limit + ". Raise the limit (ulimit -n " + (needed * 2)
          + " in the shell that starts the load generator, or LimitNOFILE=/limits.conf) and run again; the proxy "
          + "needs two descriptors per session and the backend one, so raise theirs too.");
    }
  }

  /**
   * Throws with advice if {@code sessions} connections to one target cannot fit the ephemeral ports of
   * {@code sources} source addresses (a connect would fail with EADDRNOTAVAIL part way through the ramp).
   */
  static void checkPortRange(int sessions, int sources) {
    long ports = ProcStats.ephemeralPorts();
    if (ports > 0 && (long) sessions > ports * sources) {
      throw new IllegalStateException("idle: " + sessions + " sessions from " + sources + " source address"
          + (sources == 1 ? "" : "es") + " need more than the " + ports + " ephemeral ports each has "
          + "(net.ipv4.ip_local_port_range); give --sources with " + ((sessions + ports - 1) / ports)
          + " or more loopback addresses (127.0.0.1,127.0.0.2,...)");
    }
  }

  Json run() throws Exception {
    checkFileLimit(o.sessions());
    checkPortRange(o.sessions(), Math.max(1, o.sources().size()));
    try (Client c = new Client(o)) {
      client = c;
      long t0 = System.nanoTime();
      for (int i = 0; i < Math.min(o.ramp(), o.sessions()); i++) {
        startOne();
      }
      // Every login ends (OK or failed) within the reply timeout per step, so this wait is bounded.
      boolean complete = setupDone.await(Math.max(60_000, o.timeout().toMillis() * 4 + o.sessions() * 20L),
          TimeUnit.MILLISECONDS);
      double establishSeconds = (System.nanoTime() - t0) / 1e9;
      int established = alive.size();
      phase = Phase.HOLD;
      double rssAtEstablished = o.proxy().rssKib();
      Json event = new Json().put("event", "established").put("scenario", "idle");
      if (o.label() != null) {
        event.put("label", o.label());
      }
      event.put("sessions", o.sessions()).put("established", established).put("errors", setupErrors.sum())
          .put("establish_s", establishSeconds).put("setup_complete", complete)
          .put("proxy_rss_kib", rssAtEstablished).put("hold_s", o.hold().toMillis() / 1e3);
      System.out.println(event);
      System.out.flush();
      if (o.readyFile() != null) {
        touch();
      }
      Thread.sleep(o.hold().toMillis());
      double rssAtEnd = o.proxy().rssKib();
      List<ClientSession> snapshot;
      synchronized (this) {
        logoutDone = new CountDownLatch(alive.size());
        phase = Phase.LOGOUT;
        snapshot = new ArrayList<>(alive);
      }
      long t1 = System.nanoTime();
      for (ClientSession s : snapshot) {
        s.runOnLoop(s::logout);
      }
      boolean loggedOut = logoutDone.await(Math.max(30_000, o.timeout().toMillis() * 2), TimeUnit.MILLISECONDS);
      double logoutSeconds = (System.nanoTime() - t1) / 1e9;
      return o.header().put("sessions", o.sessions()).put("established", established)
          .put("errors", setupErrors.sum()).put("dropped_during_hold", dropped.sum())
          .put("logout_errors", logoutErrors.sum()).put("establish_s", establishSeconds)
          .put("established_per_s", established / establishSeconds).put("hold_s", o.hold().toMillis() / 1e3)
          .put("logout_s", logoutSeconds).put("logged_out_all", loggedOut)
          .put("proxy_rss_kib_established", rssAtEstablished).put("proxy_rss_kib_end_of_hold", rssAtEnd)
          .put("fd_limit", ProcStats.openFileLimit())
          .put("sources", Math.max(1, o.sources().size())).put("first_error", firstError.get());
    }
  }

  private void touch() throws IOException {
    Files.writeString(o.readyFile(), "established\n");
  }

  private void startOne() {
    if (toStart.getAndDecrement() > 0) {
      client.connect(ClientSession.create(o.spec(), this));
    }
  }

  @Override
  public void loggedIn(ClientSession session) {
    if (phase != Phase.SETUP) {
      // Later than the setup wait: not part of the measurement, so it goes away at once.
      session.logout();
      return;
    }
    alive.add(session);
    setupDone.countDown();
    startOne();
  }

  @Override
  public void commandDone(ClientSession session) {}

  @Override
  public void loggedOut(ClientSession session) {
    session.close();
    if (alive.remove(session)) {
      logoutDone.countDown();
    }
  }

  @Override
  public synchronized void failed(ClientSession session, String reason) {
    firstError.compareAndSet(null, reason);
    if (alive.remove(session)) {
      if (phase == Phase.LOGOUT) {
        logoutErrors.increment();
        logoutDone.countDown();
      } else {
        dropped.increment();
      }
    } else {
      setupErrors.increment();
      setupDone.countDown();
      startOne();
    }
  }
}
