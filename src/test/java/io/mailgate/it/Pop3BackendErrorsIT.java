package io.mailgate.it;

import static io.mailgate.testkit.Pop3ProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.Pop3ProxyTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The backend refuses the login: its line (RFC 2449 response codes included) with proxy_pass_error_message on. */
class Pop3BackendErrorsIT extends Pop3ProxyTestBase {

  private static final String PLAIN = "AUTH PLAIN " + b64("\0test@example.com\0secret");

  @ParameterizedTest
  @ValueSource(strings = {"-ERR [IN-USE] mailbox locked by another session", "-ERR [LOGIN-DELAY] wait 5 minutes",
      "-ERR [SYS/TEMP] try again later", "-ERR [AUTH] invalid password"})
  void aRefusedPassIsRelayedUntouchedWithProxyPassErrorMessage(String refusal) throws Exception {
    fx.backend.passReply(refusal);
    fx.start("proxy_pass_error_message on;", "");
    try (LineClient c = fx.connect()) {
      c.send(PLAIN);
      assertThat(c.readLine()).isEqualTo(refusal);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void aRefusedPassIsAnInternalErrorWithoutProxyPassErrorMessage() throws Exception {
    fx.backend.passReply("-ERR [IN-USE] mailbox locked");
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send(PLAIN);
      assertThat(c.readLine()).isEqualTo("-ERR internal server error");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void aRefusedUserIsRelayedWithProxyPassErrorMessage() throws Exception {
    fx.auth.respondWith(r -> FakeAuthServer.ok(fx.backend.port(), "Auth-User: nobody@example.com"));
    fx.start("proxy_pass_error_message on;", "");
    try (LineClient c = fx.connect()) {
      c.send(PLAIN);
      assertThat(c.readLine()).isEqualTo("-ERR unknown command");
    }
    assertThat(fx.backend.received()).containsExactly("USER nobody@example.com");
  }

  @Test
  void aRefusingGreetingIsRelayedWithProxyPassErrorMessage() throws Exception {
    fx.backend.greeting("-ERR [SYS/TEMP] too busy");
    fx.start("proxy_pass_error_message on;", "");
    try (LineClient c = fx.connect()) {
      c.send(PLAIN);
      assertThat(c.readLine()).isEqualTo("-ERR [SYS/TEMP] too busy");
    }
    assertThat(fx.backend.received()).isEmpty();
  }
}
