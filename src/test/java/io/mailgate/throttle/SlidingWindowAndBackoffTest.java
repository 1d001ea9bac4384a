package io.mailgate.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The sliding-window estimate and the delay's growth and cap. */
class SlidingWindowAndBackoffTest {

  private static final long WINDOW = 60_000;

  @Test
  void bucketsAreFixedWindowsOfTheClock() {
    assertThat(SlidingWindow.bucket(0, WINDOW)).isZero();
    assertThat(SlidingWindow.bucket(59_999, WINDOW)).isZero();
    assertThat(SlidingWindow.bucket(60_000, WINDOW)).isEqualTo(1);
    assertThat(SlidingWindow.bucket(125_000, WINDOW)).isEqualTo(2);
  }

  @ParameterizedTest(name = "current {0}, previous {1}, {2} ms into the window: {3}")
  @CsvSource({
      "0, 0, 0, 0",
      "4, 0, 30000, 4",
      // At the window's start the previous one counts whole; halfway, half of it (10 * 0.5).
      "2, 10, 0, 12",
      "2, 10, 30000, 7",
      // 10 * 0.25 = 2.5, rounded up: the previous window's failures fade, they do not vanish early.
      "0, 10, 45000, 3",
      "0, 1, 59999, 1",
      "3, 0, 59999, 3"})
  void theEstimateWeighsThePreviousWindowByItsOverlap(long current, long previous, long into, long expected) {
    long now = 7 * WINDOW + into;
    assertThat(SlidingWindow.estimate(current, previous, WINDOW, now)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "excess {0}: {1} ms")
  @CsvSource({"0, 1000", "1, 2000", "2, 4000", "4, 16000", "5, 30000", "6, 30000", "100, 30000",
      "9223372036854775807, 30000"})
  void theDelayDoublesWithEachFailureOverTheThresholdUpToTheCap(long excess, long millis) {
    assertThat(Backoff.delay(excess, Duration.ofSeconds(1), Duration.ofSeconds(30))).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void aZeroBaseMeansNoDelayAndACapBelowTheBaseWins() {
    assertThat(Backoff.delay(5, Duration.ZERO, Duration.ofSeconds(30))).isZero();
    assertThat(Backoff.delay(0, Duration.ofSeconds(2), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void theRateLimitedLogLetsOneLineThroughPerIntervalAndCountsTheRest() {
    long[] now = {1_000};
    RateLimitedLog log = new RateLimitedLog(10, () -> now[0]);
    assertThat(log.tryAcquire()).isZero();
    assertThat(log.tryAcquire()).isEqualTo(-1);
    now[0] += 9;
    assertThat(log.tryAcquire()).isEqualTo(-1);
    now[0] += 1;
    assertThat(log.tryAcquire()).as("two held back").isEqualTo(2);
    assertThat(log.tryAcquire()).isEqualTo(-1);
  }
}
