package io.mailgate.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.testkit.StartTlsLoginHarness;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImapBackendLoginStartTlsTest {

  private StartTlsLoginHarness login;

  @BeforeEach
  void start() throws Exception {
    login = new StartTlsLoginHarness(new ImapBackendLogin("a1"));
  }

  @AfterEach
  void finish() {
    login.close();
  }

  private BackendLoginException failure() {
    return (BackendLoginException) login.result().cause();
  }

  @Test
  void aGreetingAnnouncingStarttlsGetsStarttlsEvenWithLoginDisabledBeforeTls() {
    login.backendSays("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    assertThat(login.sent()).isEqualTo("mgS STARTTLS\r\n");
    login.backendSays("mgS OK Begin TLS negotiation now\r\n");
    assertThat(login.tlsStarted()).isTrue();
    assertThat(login.sent()).isEmpty();
    assertThat(login.result().isDone()).isFalse();
  }

  @Test
  void withoutCapabilitiesInTheGreetingTheProxyAsksAndFailsWhenStarttlsIsMissing() {
    login.backendSays("* OK ready\r\n");
    assertThat(login.sent()).isEqualTo("mgC CAPABILITY\r\n");
    login.backendSays("* CAPABILITY IMAP4rev1 IDLE\r\nmgC OK done\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    assertThat(failure().getMessage()).isEqualTo("upstream does not support STARTTLS");
    assertThat(login.sent()).isEmpty();
    assertThat(login.tlsStarted()).isFalse();
  }

  @Test
  void aCapabilityListingStarttlsLeadsToStarttls() {
    login.backendSays("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    assertThat(login.sent()).isEqualTo("mgC CAPABILITY\r\n");
    login.backendSays("* CAPABILITY IMAP4rev1 STARTTLS\r\nmgC OK done\r\n");
    assertThat(login.sent()).isEqualTo("mgS STARTTLS\r\n");
  }

  @Test
  void withClientIdentityNoIdGoesOutBeforeTls() throws Exception {
    login.close();
    login = new StartTlsLoginHarness(new ImapBackendLogin("a1",
        Optional.of(ImapIdList.ofPairs(List.of("x-originating-ip", "192.0.2.9"))), message -> { }));
    login.backendSays("* OK [CAPABILITY IMAP4rev1 ID STARTTLS LOGINDISABLED] ready\r\n");
    assertThat(login.sent()).isEqualTo("mgS STARTTLS\r\n");
    login.backendSays("mgS OK Begin TLS negotiation now\r\n");
    assertThat(login.tlsStarted()).isTrue();
    assertThat(login.sent()).isEmpty();
  }

  @Test
  void aRefusedStarttlsFailsWithoutFallingBackToCleartext() {
    login.backendSays("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    login.sent();
    login.backendSays("mgS NO TLS is not available now\r\n");
    assertThat(failure().failure()).isEqualTo(BackendFailure.REMOTE_CONFIG);
    assertThat(failure().getMessage()).contains("upstream rejected STARTTLS");
    assertThat(login.sent()).isEmpty();
  }
}
