package io.mailgate.authn.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Argon2idPhcTest {

  private static final String REFERENCE =
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

  @Test
  void parsesAndFormatsTheReferenceString() {
    Argon2idPhc phc = Argon2idPhc.parse(REFERENCE).orElseThrow();

    assertThat(phc.version()).isEqualTo(19);
    assertThat(phc.memoryKib()).isEqualTo(65536);
    assertThat(phc.iterations()).isEqualTo(2);
    assertThat(phc.parallelism()).isEqualTo(1);
    assertThat(new String(phc.salt(), StandardCharsets.US_ASCII)).isEqualTo("somesalt");
    assertThat(phc.hash()).hasSize(32);
    assertThat(phc.format()).isEqualTo(REFERENCE);
  }

  @Test
  void readsAMissingVersionAsVersion16LikeTheReferenceImplementation() {
    Argon2idPhc phc = Argon2idPhc.parse(REFERENCE.replace("v=19$", "")).orElseThrow();

    assertThat(phc.version()).isEqualTo(16);
  }

  @Test
  void printsParametersButNeverTheSaltOrTag() {
    assertThat(Argon2idPhc.parse(REFERENCE).orElseThrow().toString())
        .isEqualTo("Argon2idPhc[v=19, m=65536, t=2, p=1]")
        .doesNotContain("CTFh");
  }
}
