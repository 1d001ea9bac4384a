package io.mailgate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.LogLevel;
import io.mailgate.testkit.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AcceptFailuresTest {

  @Test
  void aFailedAcceptPausesHalfASecondIsLoggedOnceAndGoesNoFurther() {
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      EmbeddedChannel listener = new EmbeddedChannel(new AcceptFailures("127.0.0.1:143"));
      listener.freezeTime();
      for (int i = 0; i < 3; i++) {
        listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
      }
      // Not passed on: Netty's tail would log each one with a stack trace.
      listener.checkException();
      assertThat(listener.config().isAutoRead()).as("accepting paused").isFalse();
      listener.advanceTimeBy(AcceptFailures.PAUSE_MILLIS - 1, TimeUnit.MILLISECONDS);
      listener.runScheduledPendingTasks();
      assertThat(listener.config().isAutoRead()).isFalse();
      listener.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      listener.runScheduledPendingTasks();
      assertThat(listener.config().isAutoRead()).as("accepting again after 500 ms").isTrue();
      assertThat(log.atLeast(LogLevel.INFO)).containsExactly(
          "io.mailgate.transport.AcceptFailures accept4() failed (24: Too many open files) on 127.0.0.1:143"
              + " | 24: Too many open files | 127.0.0.1:143 | ");
      assertThat(log.atLeast(LogLevel.CRIT)).hasSize(1);
      listener.finishAndReleaseAll();
    }
  }
}
