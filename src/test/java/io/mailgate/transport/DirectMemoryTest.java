package io.mailgate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DirectMemoryTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final DirectMemory memory = new DirectMemory(now::get);

  @Test
  void connectionsAreAdmittedUntilADirectAllocationFails() {
    assertThat(memory.refusing("127.0.0.1:143")).isFalse();
    assertThat(memory.failed(new OutOfMemoryError("Java heap space"))).as("the heap is not direct memory").isFalse();
    assertThat(memory.failed(new java.io.IOException("Connection reset by peer"))).isFalse();
    assertThat(memory.refusing("127.0.0.1:143")).isFalse();
  }

  @Test
  void afterAFailedAllocationNewConnectionsAreRefusedForOneSecond() {
    // The JDK's failure when Netty allocates with a cleaner, wrapped as a handler would see it.
    assertThat(memory.failed(new RuntimeException(new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer"
        + " memory (allocated: 16711680, limit: 16777216); Direct buffer memory")))).isTrue();
    assertThat(memory.refusing("127.0.0.1:143")).isTrue();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
    assertThat(memory.refusing("127.0.0.1:143")).isTrue();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(memory.refusing("127.0.0.1:143")).as("a second without failures").isFalse();
  }

  @Test
  void nettysOwnErrorCounts() throws Exception {
    // Netty's OutOfDirectMemoryError has a package-private constructor: made as Netty makes it.
    var constructor = io.netty.util.internal.OutOfDirectMemoryError.class.getDeclaredConstructor(String.class);
    constructor.setAccessible(true);
    Throwable error = constructor.newInstance("failed to allocate 524288 byte(s) of direct memory");
    assertThat(memory.failed(error)).isTrue();
    assertThat(memory.refusing("127.0.0.1:143")).isTrue();
  }
}
