package io.mailgate.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.config.LogLevel;
import io.mailgate.testkit.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A listener's failed accept. The soak (bench/run-soak.sh) reached it at 10,000 sessions under a 20,000-descriptor
 * limit, where every failed accept was a multi-line stack trace at warn.
 */
class AcceptErrorsTest {

  /** The text of Netty's native accept failure at the descriptor limit. */
  private static IOException emfile() {
    return new IOException("accept(..) failed with error(-24): Too many open files");
  }

  @Test
  void aFailedAcceptIsOneCritLineAndPausesAcceptingForASecond() {
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      EmbeddedChannel listener = new EmbeddedChannel(new AcceptErrors("127.0.0.1:143"));
      listener.freezeTime();

      listener.pipeline().fireExceptionCaught(emfile());
      listener.pipeline().fireExceptionCaught(emfile());

      listener.checkException(); // nothing went on to the end of the pipeline (no stack trace at warn)
      assertThat(listener.config().isAutoRead()).as("accepting paused").isFalse();
      assertThat(log.atLeast(LogLevel.CRIT)).singleElement().asString()
          .contains("accept4() failed (24: Too many open files) on 127.0.0.1:143, accepting again in 1000 ms");

      listener.advanceTimeBy(AcceptErrors.PAUSE_MILLIS - 1, TimeUnit.MILLISECONDS);
      listener.runScheduledPendingTasks();
      assertThat(listener.config().isAutoRead()).isFalse();
      listener.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      listener.runScheduledPendingTasks();
      assertThat(listener.config().isAutoRead()).as("accepting again").isTrue();

      listener.pipeline().fireExceptionCaught(emfile());
      assertThat(log.atLeast(LogLevel.CRIT)).hasSize(2);
      listener.finishAndReleaseAll();
    }
  }

  @Test
  void anythingButAnIoErrorGoesOn() {
    EmbeddedChannel listener = new EmbeddedChannel(new AcceptErrors("127.0.0.1:143"));

    listener.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));

    assertThatThrownBy(listener::checkException).isInstanceOf(IllegalStateException.class);
    assertThat(listener.config().isAutoRead()).isTrue();
    listener.finishAndReleaseAll();
  }
}
