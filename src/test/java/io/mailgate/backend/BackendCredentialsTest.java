package io.mailgate.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.sasl.Mechanism;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BackendCredentialsTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aPasswordLoginHasNoToken() {
    BackendCredentials c = BackendCredentials.password(bytes("u"), bytes("p"));
    assertThat(c.user()).isEqualTo(bytes("u"));
    assertThat(c.password()).isEqualTo(bytes("p"));
    assertThat(c.token()).isEmpty();
  }

  @Test
  void aTokenLoginCarriesMechanismAndTokenButNoPassword() {
    BackendCredentials c = BackendCredentials.token(bytes("u"), Mechanism.OAUTHBEARER, bytes("tok"));
    assertThat(c.password()).isEmpty();
    assertThat(c.token().orElseThrow().mechanism()).isEqualTo(Mechanism.OAUTHBEARER);
    assertThat(c.token().orElseThrow().token()).isEqualTo(bytes("tok"));
  }

  @Test
  void secretsNeverAppearInToString() {
    assertThat(BackendCredentials.password(bytes("u"), bytes("hunter2")).toString())
        .isEqualTo("BackendCredentials[user=u, password=******]");
    assertThat(BackendCredentials.token(bytes("u"), Mechanism.XOAUTH2, bytes("tok-123")).toString())
        .isEqualTo("BackendCredentials[user=u, TokenLogin[XOAUTH2, token=******]]");
  }

  @Test
  void wipeOverwritesPasswordAndTokenButTheCallersArraysAreCopies() {
    byte[] token = bytes("tok");
    BackendCredentials c = BackendCredentials.token(bytes("u"), Mechanism.XOAUTH2, token);
    c.wipe();
    assertThat(c.token().orElseThrow().token()).containsOnly(0);
    assertThat(token).isEqualTo(bytes("tok"));
    BackendCredentials p = BackendCredentials.password(bytes("u"), bytes("pw"));
    p.wipe();
    assertThat(p.password()).containsOnly(0);
  }

  @Test
  void onlyBearerMechanismsCarryATokenLogin() {
    assertThatThrownBy(() -> BackendCredentials.token(bytes("u"), Mechanism.PLAIN, bytes("t")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
