package io.mailgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Regression (issue 15 fault matrix): an Auth-Wait too long for Duration.toNanos() became a swallowed exception. */
class LoginFlowDelayTest {

  @Test
  void anAuthWaitOfEighteenNinesSaturatesInsteadOfThrowing() {
    assertThat(LoginFlow.saturatedNanos(Duration.ofSeconds(999_999_999_999_999_999L))).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anOrdinaryWaitIsExact() {
    assertThat(LoginFlow.saturatedNanos(Duration.ofSeconds(3))).isEqualTo(3_000_000_000L);
  }
}
