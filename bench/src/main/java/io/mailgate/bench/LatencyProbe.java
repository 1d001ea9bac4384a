package io.mailgate.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Added latency: one logged-in session sends NOOP, waits for the OK, and again; the first {@code warmupCount}
 * round trips are not measured. Point it at the proxy and at the backend to get the difference.
 */
final class LatencyProbe implements ClientSession.Listener {

  private final Options o;
  private final Latency latency = new Latency();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile String error;
  private volatile int measured;
  private int roundTrips;
  private long deadline;

  LatencyProbe(Options o) {
    this.o = o;
  }

  Json run() throws Exception {
    try (Client client = new Client(o)) {
      deadline = System.nanoTime() + o.duration().toNanos();
      client.connect(ClientSession.create(o.spec(), this));
      double cpu0 = o.proxy().cpuSeconds();
      long t0 = System.nanoTime();
      boolean finished = done.await(o.duration().toMillis() + o.timeout().toMillis() * 3, TimeUnit.MILLISECONDS);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu1 = o.proxy().cpuSeconds();
      Json out = o.header().put("count", o.count()).put("warmup_count", o.warmupCount())
          .put("measured", measured).put("finished", finished).put("elapsed_s", seconds)
          .put("errors", error == null ? 0 : 1);
      latency.report(out, "", true);
      return out.put("proxy_cpu_s", cpu1 - cpu0).put("first_error", error);
    }
  }

  @Override
  public void loggedIn(ClientSession session) {
    session.noop();
  }

  @Override
  public void commandDone(ClientSession session) {
    long now = System.nanoTime();
    roundTrips++;
    if (roundTrips > o.warmupCount()) {
      latency.record(now - session.commandStartNanos());
      measured = roundTrips - o.warmupCount();
    }
    if (roundTrips < o.warmupCount() + o.count() && now < deadline) {
      session.noop();
    } else {
      session.logout();
    }
  }

  @Override
  public void loggedOut(ClientSession session) {
    session.close();
    done.countDown();
  }

  @Override
  public void failed(ClientSession session, String reason) {
    error = reason;
    done.countDown();
  }
}
