package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {

  @ParameterizedTest
  @CsvSource({
      "500ms, 500",
      "15s, 15000",
      "2m, 120000",
      "1h, 3600000",
      "1d, 86400000",
      "1w, 604800000",
      "60, 60000",
      "0, 0",
      "1h30m, 5400000",
      "1h30, 3630000",
      "1m30s500ms, 90500",
      "'1h 30m', 5400000",
      "'1s ', 1000",
  })
  void timeoutValuesFollowNginxUnits(String text, long millis) {
    assertThat(Times.parseMillis(text)).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "s", "1x", "1s1m", "1m1m", "1y", "1M", "-1s", "1.5s", "30 m", "1ms1s"})
  void malformedTimeoutValuesAreRejected(String text) {
    assertThat(Times.parseMillis(text)).isEmpty();
  }

  @Test
  void secondValuesAcceptYearsAndMonthsButNotMilliseconds() {
    assertThat(Times.parseSeconds("30m")).contains(Duration.ofMinutes(30));
    assertThat(Times.parseSeconds("10")).contains(Duration.ofSeconds(10));
    assertThat(Times.parseSeconds("1M")).contains(Duration.ofDays(30));
    assertThat(Times.parseSeconds("1y")).contains(Duration.ofDays(365));
    assertThat(Times.parseSeconds("500ms")).isEmpty();
  }

  @Test
  void hugeValuesAreRejectedRatherThanOverflowing() {
    assertThat(Times.parseSeconds("2147483647y")).isEmpty();
    assertThat(Times.parseMillis("99999999999s")).isEmpty();
  }
}
