package io.mailgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.auth.AuthResult;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthHealthTest {

  private long now = 1_000;
  private final AuthHealth health = new AuthHealth(() -> now, Duration.ofSeconds(30));

  private static AuthResult.Unavailable down(AuthResult.Unavailable.Kind kind) {
    return new AuthResult.Unavailable(kind, "auth http server 127.0.0.1:9 " + kind);
  }

  @Test
  void readyUntilTheServiceFailsThenUntilItAnswersAgain() {
    assertThat(health.problem()).isEmpty();

    now += 10;
    health.answered(down(AuthResult.Unavailable.Kind.CONNECT));
    now += Duration.ofSeconds(5).toNanos();
    assertThat(health.problem()).hasValueSatisfying(p -> assertThat(p).contains("connect").contains("5000 ms ago"));

    now += 10;
    health.answered(new AuthResult.Rejected("Invalid login", Optional.empty(), Optional.empty(), Optional.empty()));
    assertThat(health.problem()).isEmpty();
  }

  @Test
  void oneFailureKeepsItUnreadyForTheHoldOnly() {
    health.answered(down(AuthResult.Unavailable.Kind.TIMEOUT));
    now += Duration.ofSeconds(30).toNanos();
    assertThat(health.problem()).isPresent();
    now += 1;
    assertThat(health.problem()).isEmpty();
  }

  @Test
  void mailgatesOwnFailuresSayNothingAboutTheService() {
    health.answered(down(AuthResult.Unavailable.Kind.SHUTTING_DOWN));
    health.answered(down(AuthResult.Unavailable.Kind.OVERLOADED));
    health.answered(down(AuthResult.Unavailable.Kind.OTHER));
    assertThat(health.problem()).isEmpty();
    health.answered(down(AuthResult.Unavailable.Kind.INVALID_RESPONSE));
    assertThat(health.problem()).hasValueSatisfying(p -> assertThat(p).contains("invalid_response"));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = AuthResult.Unavailable.Kind.class, names = {"TLS", "SERVER_ERROR"})
  void aFailedHandshakeOrAn5xxPageMakesItUnready(AuthResult.Unavailable.Kind kind) {
    health.answered(down(kind));
    assertThat(health.problem()).hasValueSatisfying(p -> assertThat(p).contains("(" + kind.label() + ")"));
  }
}
