package io.mailgate.session;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts who still uses one configuration's login resources (auth service pools, token validators, resolvers, TLS
 * settings), so that a reload can close the old configuration's once nothing needs them: the live configuration holds
 * them until it is replaced, and each session holds them from accept until its login is over (it relays, or it
 * closes). A session relaying needs none of them, so an IMAP IDLE that lasts for days never keeps an old configuration
 * alive. Thread-safe: sessions on every event loop take and give back holds.
 */
public final class LoginResources {

  /** One for the live configuration, plus one per session still logging in; 0 means closed. */
  private final AtomicInteger holders = new AtomicInteger(1);
  private final Executor closer;
  private final Runnable close;

  /**
   * @param closer where {@code close} runs: never an event loop, as closing may wait for sockets and threads
   * @param close releases the resources, once
   */
  public LoginResources(Executor closer, Runnable close) {
    this.closer = closer;
    this.close = close;
  }

  /** Resources that are never closed (tests that wire a server by hand). */
  public static LoginResources unmanaged() {
    return new LoginResources(Runnable::run, () -> { });
  }

  /**
   * A hold for one new session, or null when the resources are already closed (the configuration was replaced while
   * this connection was being accepted: the caller takes the live configuration instead).
   */
  public Hold tryHold() {
    while (true) {
      int n = holders.get();
      if (n == 0) {
        return null;
      }
      if (holders.compareAndSet(n, n + 1)) {
        return new Hold(this);
      }
    }
  }

  /** The live configuration lets go (a reload replaced it, or mailgate stops); sessions still logging in keep it. */
  public void retire() {
    release();
  }

  /** Whether these resources are closed (or closing): no session holds them and they are not live. */
  public boolean closed() {
    return holders.get() == 0;
  }

  private void release() {
    if (holders.decrementAndGet() == 0) {
      closer.execute(close);
    }
  }

  /** One session's hold; giving it back twice is harmless, and once given back it pins nothing. */
  public static final class Hold {
    private LoginResources resources;

    private Hold(LoginResources resources) {
      this.resources = resources;
    }

    /** Gives the hold back; the first call counts. Called on the session's event loop. */
    public void release() {
      LoginResources r = resources;
      if (r != null) {
        resources = null;
        r.release();
      }
    }
  }
}
