package io.mailgate.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.ThrottleConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Counting pre-auth and relaying sessions: caps, the move to the relay, no double release, many threads. */
class ConnectionLimitsTest {

  private final ConnectionLimits.Counters counters = new ConnectionLimits.Counters();

  @Test
  void preauthSessionsAreCappedPerClientAndPerListener() {
    ConnectionLimits limits = new ConnectionLimits(new ThrottleConfig.Limits(2, 3, 0), counters);
    SessionSlots a1 = limits.newSlots();
    SessionSlots a2 = limits.newSlots();
    SessionSlots a3 = limits.newSlots();
    assertThat(limits.admitPreauth(a1, "192.0.2.1", "l")).isNull();
    assertThat(limits.admitPreauth(a2, "192.0.2.1", "l")).isNull();
    assertThat(limits.admitPreauth(a3, "192.0.2.1", "l")).isEqualTo(ConnectionLimits.PREAUTH_PER_CLIENT);
    SessionSlots b1 = limits.newSlots();
    SessionSlots b2 = limits.newSlots();
    assertThat(limits.admitPreauth(b1, "192.0.2.2", "l")).isNull();
    assertThat(limits.admitPreauth(b2, "192.0.2.2", "l")).isEqualTo(ConnectionLimits.PREAUTH_PER_LISTENER);
    assertThat(counters.preauthPerClient().count("192.0.2.2")).as("a refusal by the listener gives the client's back")
        .isEqualTo(1);
    assertThat(limits.admitPreauth(limits.newSlots(), "192.0.2.3", "other")).as("another listener").isNull();
    a1.release();
    a1.release();
    assertThat(counters.preauthPerClient().count("192.0.2.1")).as("released once only").isEqualTo(1);
    assertThat(counters.preauthPerListener().count("l")).isEqualTo(2);
  }

  @Test
  void loggingInMovesTheCountFromPreauthToRelayingAndRelayingIsCappedApart() {
    ConnectionLimits limits = new ConnectionLimits(new ThrottleConfig.Limits(1, 0, 1), counters);
    SessionSlots first = limits.newSlots();
    assertThat(limits.admitPreauth(first, "192.0.2.1", "l")).isNull();
    assertThat(limits.enterRelay(first, "192.0.2.1", "l")).isNull();
    assertThat(counters.preauthPerClient().count("192.0.2.1")).isZero();
    assertThat(counters.sessionsPerClient().count("192.0.2.1")).isEqualTo(1);
    SessionSlots second = limits.newSlots();
    assertThat(limits.admitPreauth(second, "192.0.2.1", "l")).as("the relaying session frees its pre-auth slot")
        .isNull();
    assertThat(limits.enterRelay(second, "192.0.2.1", "l")).isEqualTo(ConnectionLimits.SESSIONS_PER_CLIENT);
    second.release();
    first.release();
    first.release();
    assertThat(counters.preauthPerClient().keys() + counters.sessionsPerClient().keys()).isZero();
  }

  @Test
  void withoutLimitsNothingIsCounted() {
    ConnectionLimits limits = new ConnectionLimits(ThrottleConfig.Limits.UNLIMITED, counters);
    SessionSlots slots = limits.newSlots();
    assertThat(slots).isSameAs(SessionSlots.NONE);
    assertThat(limits.admitPreauth(slots, "192.0.2.1", "l")).isNull();
    assertThat(limits.enterRelay(slots, "192.0.2.1", "l")).isNull();
    slots.release();
    assertThat(counters.preauthPerListener().keys()).isZero();
  }

  @Test
  void countsStayExactUnderManyThreads() throws Exception {
    ConnectionLimits limits = new ConnectionLimits(new ThrottleConfig.Limits(50, 0, 0), counters);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger admitted = new AtomicInteger();
    List<SessionSlots> held = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(400);
    for (int i = 0; i < 400; i++) {
      pool.execute(() -> {
        SessionSlots s = limits.newSlots();
        if (limits.admitPreauth(s, "192.0.2.1", "l") == null) {
          admitted.incrementAndGet();
          held.add(s);
        }
        done.countDown();
      });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(admitted.get()).isEqualTo(50);
    assertThat(counters.preauthPerClient().count("192.0.2.1")).isEqualTo(50);
    CountDownLatch released = new CountDownLatch(held.size());
    for (SessionSlots s : held) {
      pool.execute(() -> {
        s.release();
        released.countDown();
      });
    }
    assertThat(released.await(10, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();
    assertThat(counters.preauthPerClient().keys()).as("the key goes at zero").isZero();
  }
}
