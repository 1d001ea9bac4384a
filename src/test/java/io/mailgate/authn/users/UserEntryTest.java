package io.mailgate.authn.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.authn.routing.HostPort;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserEntryTest {

  @Test
  void toStringMasksTheHash() {
    UserEntry entry = new UserEntry("alice", "$6$abc$secrethash", Optional.of(HostPort.parse("10.0.0.5:143")));

    assertThat(entry.toString())
        .contains("alice", "******", "10.0.0.5:143")
        .doesNotContain("$6$", "secrethash");
    assertThat(new UserEntry("bob", "$2b$xyz", Optional.empty()).toString())
        .isEqualTo("UserEntry[user=bob, hash=******]");
  }
}
