package io.mailgate.authn;

import io.mailgate.backend.BackendTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.auth.AuthClient;
import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BackendAccountTest {

  private static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 1143);

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static AuthClient answering(AuthResult result) {
    return (request, loop) -> CompletableFuture.completedFuture(result);
  }

  private static AuthResult ask(AuthClient client, Mechanism mechanism, String login) {
    AuthRequest request = new AuthRequest(Credentials.of(mechanism, bytes(login), bytes("client-secret")), "imap", 1,
        "127.0.0.1", Optional.empty(), List.of());
    return client.authenticate(request, null).toCompletableFuture().join();
  }

  private static AuthResult.Accepted accepted(Optional<String> user, Optional<String> pass) {
    return new AuthResult.Accepted(BackendTarget.of(BACKEND), user.map(BackendAccountTest::bytes), pass.map(BackendAccountTest::bytes),
        Optional.empty());
  }

  @Test
  void aMasterLoginNamesTheClientsUserAndTheMasterWithTheMasterPassword() {
    AuthClient master = BackendAccount.masterUser(answering(accepted(Optional.empty(), Optional.empty())), "proxy",
        bytes("m-secret"));
    assertThat(ask(master, Mechanism.PLAIN, "test@example.com"))
        .isEqualTo(accepted(Optional.of("test@example.com*proxy"), Optional.of("m-secret")));
  }

  @Test
  void aMasterLoginStartsFromAuthUserAndReplacesAuthPass() {
    AuthClient master = BackendAccount.masterUser(
        answering(accepted(Optional.of("real@example.com"), Optional.of("auth-pass"))), "proxy", bytes("m-secret"));
    assertThat(ask(master, Mechanism.XOAUTH2, "alias@example.com"))
        .isEqualTo(accepted(Optional.of("real@example.com*proxy"), Optional.of("m-secret")));
  }

  @Test
  void aLoginContainingTheSeparatorCannotPickAnotherUserOrMaster() {
    AuthClient master = BackendAccount.masterUser(answering(accepted(Optional.empty(), Optional.empty())), "proxy",
        bytes("m-secret"));
    AuthResult result = ask(master, Mechanism.PLAIN, "victim@example.com*admin");
    assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
    assertThat(((AuthResult.Unavailable) result).reason()).doesNotContain("m-secret");
  }

  @Test
  void aSharedSecretKeepsTheUserAndFillsInOnlyAMissingAuthPass() {
    AuthClient noPass = BackendAccount.sharedSecret(answering(accepted(Optional.empty(), Optional.empty())),
        bytes("store"));
    assertThat(ask(noPass, Mechanism.PLAIN, "u")).isEqualTo(accepted(Optional.empty(), Optional.of("store")));
    AuthClient withPass = BackendAccount.sharedSecret(answering(accepted(Optional.of("v"), Optional.of("given"))),
        bytes("store"));
    assertThat(ask(withPass, Mechanism.PLAIN, "u")).isEqualTo(accepted(Optional.of("v"), Optional.of("given")));
  }

  @Test
  void aLoginWithoutUserIsLeftAloneSinceThereIsNobodyToLogInAs() {
    AuthResult.Accepted none = accepted(Optional.empty(), Optional.empty());
    AuthClient master = BackendAccount.masterUser(answering(none), "proxy", bytes("m-secret"));
    assertThat(ask(master, Mechanism.NONE, "")).isSameAs(none);
  }

  @Test
  void rejectionsPassUnchanged() {
    AuthResult.Rejected rejected = new AuthResult.Rejected("bad", Optional.empty(), Optional.of(Duration.ofSeconds(1)),
        Optional.empty());
    AuthClient master = BackendAccount.masterUser(answering(rejected), "proxy", bytes("m-secret"));
    assertThat(ask(master, Mechanism.PLAIN, "u")).isSameAs(rejected);
  }

  @Test
  void toStringNamesTheMasterButNeverTheSecret() {
    AuthClient master = BackendAccount.masterUser(answering(accepted(Optional.empty(), Optional.empty())), "proxy",
        bytes("m-secret"));
    assertThat(master.toString()).contains("master=proxy").contains("secret=******").doesNotContain("m-secret");
  }
}
