package io.mailgate.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.testkit.StartTlsLoginHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pop3BackendLoginStartTlsTest {

  private StartTlsLoginHarness login;

  @BeforeEach
  void start() throws Exception {
    login = new StartTlsLoginHarness(new Pop3BackendLogin());
  }

  @AfterEach
  void finish() {
    login.close();
  }

  @Test
  void stlsGoesFirstAndItsOkStartsTls() {
    login.backendSays("+OK ready\r\n");
    assertThat(login.sent()).isEqualTo("STLS\r\n");
    login.backendSays("+OK Begin TLS\r\n");
    assertThat(login.tlsStarted()).isTrue();
    assertThat(login.sent()).isEmpty();
  }

  @Test
  void aBackendWithoutStlsFailsTheLoginAndGetsNoUser() {
    login.backendSays("+OK ready\r\n");
    login.sent();
    login.backendSays("-ERR unknown command\r\n");
    BackendLoginException failure = (BackendLoginException) login.result().cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    assertThat(failure.getMessage()).startsWith("upstream does not support STARTTLS");
    assertThat(failure.backendReply()).isEmpty();
    assertThat(login.sent()).isEmpty();
  }
}
