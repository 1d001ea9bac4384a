package io.mailgate.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Full sessions in a closed loop per connection slot: connect, greeting, LOGIN/AUTHENTICATE (USER/PASS, AUTH), the
 * OK, LOGOUT (QUIT), close, and again. Latency is connect to the LOGOUT reply. Besides the proxy's CPU per session,
 * the load generator's own and the whole machine's are reported (on a shared machine, what is left for the proxy
 * bounds the rate), and with TLS how many handshakes resumed a session.
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
    try (Client c = new Client(o)) {
      client = c;
      window = new Window(o.warmup(), o.duration());
      for (int i = 0; i < o.concurrency(); i++) {
        startSession();
      }
      Window.sleepUntil(window.start);
      Sample start = Sample.take(o.proxy(), c.tls());
      Window.sleepUntil(window.end);
      Sample end = Sample.take(o.proxy(), c.tls());
      boolean drained = slotsDone.await(o.timeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
      long n = completed.sum();
      Json out = o.header().put("concurrency", o.concurrency()).put("warmup_s", o.warmup().toMillis() / 1e3)
          .put("duration_s", window.seconds()).put("sessions", n).put("sessions_per_s", n / window.seconds())
          .put("errors", errors.sum());
      latency.report(out, "", false);
      double proxyCpu = end.proxyCpu - start.proxyCpu;
      out.put("proxy_cpu_s", proxyCpu).put("proxy_cpu_ms_per_session", proxyCpu * 1e3 / n)
          .put("loadgen_cpu_ms_per_session", (end.selfCpu - start.selfCpu) * 1e3 / n)
          .put("machine_cpu_ms_per_session", (end.machineCpu - start.machineCpu) * 1e3 / n);
      if (c.tls() != null) {
        long handshakes = end.handshakes - start.handshakes;
        out.put("tls_handshakes", handshakes).put("tls_negotiated", c.tls().negotiated());
        if (end.resumed >= 0) {
          long resumed = end.resumed - start.resumed;
          Double share = handshakes == 0 ? null : (double) resumed / handshakes;
          out.put("tls_resumed", resumed).put("tls_resumed_share", share);
        }
      }
      out.put("drained", drained).put("first_error", firstError.get());
      return out;
    }
  }

  /** Counters read at the start and at the end of the measurement window. */
  private record Sample(double proxyCpu, double selfCpu, double machineCpu, long handshakes, long resumed) {
    static Sample take(ProcStats proxy, TlsClient tls) {
      return new Sample(proxy.cpuSeconds(), ProcStats.selfCpuSeconds(), ProcStats.machineBusySeconds(),
          tls == null ? 0 : tls.handshakes(), tls == null ? 0 : tls.resumed());
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
