package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Relay throughput: each connection logs in once (and selects INBOX), then downloads the message ({@code FETCH 1
 * BODY[]}, POP3 {@code RETR 1}) or uploads one ({@code APPEND} with a literal) in a closed loop. Bytes are the
 * message bytes (literal or RETR data) of commands completed inside the window.
 */
final class Relay implements ClientSession.Listener {

  private final Options o;
  private final boolean upload;
  private final Latency latency = new Latency();
  private final LongAdder operations = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final CountDownLatch slotsDone;
  private ByteBuf message;
  private Client client;
  private Window window;

  Relay(Options o, boolean upload) {
    this.o = o;
    this.upload = upload;
    this.slotsDone = new CountDownLatch(o.concurrency());
  }

  Json run() throws Exception {
    message = upload ? MessageBody.directBuffer(o.messageSize()) : null;
    try (Client c = new Client(o)) {
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
      long b = bytes.sum();
      double seconds = window.seconds();
      Json out = o.header().put("concurrency", o.concurrency()).put("warmup_s", o.warmup().toMillis() / 1e3)
          .put("duration_s", seconds).put("operations", operations.sum())
          .put("operations_per_s", operations.sum() / seconds).put("bytes", b)
          .put("mb_per_s", b / seconds / 1e6).put("mib_per_s", b / seconds / (1024.0 * 1024.0))
          .put("errors", errors.sum());
      if (upload) {
        out.put("message_size", o.messageSize());
      }
      latency.report(out, "op_", false);
      out.put("proxy_cpu_s", cpu1 - cpu0).put("proxy_cpu_s_per_gb", (cpu1 - cpu0) / (b / 1e9))
          .put("drained", drained).put("first_error", firstError.get());
      return out;
    } finally {
      if (message != null) {
        message.release();
      }
    }
  }

  private void startSession() {
    client.connect(ClientSession.create(o.spec(), this));
  }

  private void operate(ClientSession session) {
    if (upload) {
      session.append(message, o.messageSize());
    } else {
      session.fetch();
    }
  }

  @Override
  public void loggedIn(ClientSession session) {
    if (window.over(System.nanoTime())) {
      session.logout();
    } else {
      operate(session);
    }
  }

  @Override
  public void commandDone(ClientSession session) {
    long now = System.nanoTime();
    long n = upload ? o.messageSize() : session.takePayloadBytes();
    if (window.contains(now)) {
      operations.increment();
      bytes.add(n);
      latency.record(now - session.commandStartNanos());
    }
    if (window.over(now)) {
      session.logout();
    } else {
      operate(session);
    }
  }

  @Override
  public void loggedOut(ClientSession session) {
    session.close();
    slotsDone.countDown();
  }

  @Override
  public void failed(ClientSession session, String reason) {
    long now = System.nanoTime();
    if (window.contains(now)) {
      errors.increment();
      firstError.compareAndSet(null, reason);
    }
    if (window.over(now)) {
      slotsDone.countDown();
    } else {
      client.schedule(this::startSession, 10);
    }
  }
}
