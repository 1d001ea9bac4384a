package io.mailgate.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Full sessions in a closed loop per connection slot: connect, greeting, LOGIN/AUTHENTICATE (USER/PASS, AUTH), the
 * OK, LOGOUT (QUIT), close, and again. Latency is connect to the LOGOUT reply.
 */
final class LoginStorm implements ClientSession.Listener {

  private final Options o;
  private final Latency latency = new Latency();
  private final LongAdder completed = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final CountDownLatch slotsDone;
  private Client client;
  private Window window;

  LoginStorm(Options o) {
    this.o = o;
    this.slotsDone = new CountDownLatch(o.concurrency());
  }

  Json run() throws Exception {
    try (Client c = new Client(o.target(), o.tls(), o.threads(), o.timeout())) {
      client = c;
      window = new Window(o.warmup(), o.duration());
      for (int i = 0; i < o.concurrency(); i++) {
        startSession();
      }
      Window.sleepUntil(window.start);
      double cpu0 = o.proxy().cpuSeconds();
      Window.sleepUntil(window.end);
      double cpu1 = o.proxy().cpuSeconds();
      boolean drained = slotsDone.await(o.timeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
      long n = completed.sum();
      Json out = o.header().put("concurrency", o.concurrency()).put("warmup_s", o.warmup().toMillis() / 1e3)
          .put("duration_s", window.seconds()).put("sessions", n).put("sessions_per_s", n / window.seconds())
          .put("errors", errors.sum());
      latency.report(out, "", false);
      out.put("proxy_cpu_s", cpu1 - cpu0).put("proxy_cpu_ms_per_session", (cpu1 - cpu0) * 1e3 / n)
          .put("drained", drained).put("first_error", firstError.get());
      return out;
    }
  }

  private void startSession() {
    client.connect(ClientSession.create(o.spec(), this));
  }

  private void next(long delayMillis) {
    if (window.over(System.nanoTime())) {
      slotsDone.countDown();
    } else if (delayMillis == 0) {
      startSession();
    } else {
      client.schedule(this::startSession, delayMillis);
    }
  }

  @Override
  public void loggedIn(ClientSession session) {
    session.logout();
  }

  @Override
  public void commandDone(ClientSession session) {
    session.logout();
  }

  @Override
  public void loggedOut(ClientSession session) {
    long now = System.nanoTime();
    if (window.contains(now)) {
      completed.increment();
      latency.record(now - session.startNanos());
    }
    session.close();
    next(0);
  }

  @Override
  public void failed(ClientSession session, String reason) {
    if (window.contains(System.nanoTime())) {
      errors.increment();
      firstError.compareAndSet(null, reason);
    }
    // A short pause, so that a refused connection does not turn into a busy loop.
    next(10);
  }
}
