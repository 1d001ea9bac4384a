package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.log.SessionLog;
import io.mailgate.testkit.StartTlsLoginHarness;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmtpBackendLoginStartTlsTest {

  private StartTlsLoginHarness login;

  @BeforeEach
  void start() throws Exception {
    // A client that said HELO: without TLS the proxy would say HELO too, but STARTTLS needs EHLO (RFC 3207 §4).
    SmtpLoginPlan plan = new SmtpLoginPlan("mx.test", false, true, SmtpXclientTest.client(Optional.empty()),
        Optional.empty(), false, Optional.empty(), Set.of(),
        new SessionLog("io.mailgate.session", 1, "127.0.0.1", "127.0.0.1:25", "00000000000000ab"));
    login = new StartTlsLoginHarness(new SmtpBackendLogin(plan));
  }

  @AfterEach
  void finish() {
    login.close();
  }

  private BackendLoginException failure() {
    return (BackendLoginException) login.result().cause();
  }

  @Test
  void ehloThenStarttlsThenTls() {
    login.backendSays("220 backend ESMTP\r\n");
    assertThat(login.sent()).isEqualTo("EHLO mx.test\r\n");
    login.backendSays("250-backend\r\n250-STARTTLS\r\n250 8BITMIME\r\n");
    assertThat(login.sent()).isEqualTo("STARTTLS\r\n");
    login.backendSays("220 2.0.0 Ready to start TLS\r\n");
    assertThat(login.tlsStarted()).isTrue();
    assertThat(login.sent()).isEmpty();
  }

  @Test
  void aBackendNotAnnouncingStarttlsGetsNoAuth() {
    login.backendSays("220 backend ESMTP\r\n");
    login.sent();
    login.backendSays("250-backend\r\n250 AUTH PLAIN\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    assertThat(failure().getMessage()).isEqualTo("upstream does not support STARTTLS");
    assertThat(login.sent()).isEmpty();
  }

  @Test
  void aRefusedStarttlsFailsWithoutFallingBackToCleartext() {
    login.backendSays("220 backend ESMTP\r\n");
    login.backendSays("250-backend\r\n250 STARTTLS\r\n");
    login.sent();
    login.backendSays("454 4.7.0 TLS not available due to local problem\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    assertThat(failure().getMessage()).contains("upstream rejected STARTTLS");
    assertThat(login.sent()).isEmpty();
    assertThat(login.tlsStarted()).isFalse();
  }
}
