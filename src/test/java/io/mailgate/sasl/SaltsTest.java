package io.mailgate.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SaltsTest {

  @Test
  void formatsTheRandomAsAnUnsignedDecimalLikeNginx() {
    assertThat(Salts.format(-1L, 1_700_000_000L, "mail.example.com"))
        .isEqualTo("<18446744073709551615.1700000000@mail.example.com>");
    assertThat(Salts.format(1896L, 697_170_952L, "postoffice.reston.mci.net"))
        .isEqualTo("<1896.697170952@postoffice.reston.mci.net>");
  }

  @Test
  void newSaltCarriesTheCurrentTimeAndServerNameWithoutCrlf() {
    long before = Instant.now().getEpochSecond();
    String salt = Salts.newSalt("mx.example.org");
    long after = Instant.now().getEpochSecond();

    assertThat(salt).matches("<\\d{1,20}\\.\\d+@mx\\.example\\.org>");
    long seconds = Long.parseLong(salt.substring(salt.indexOf('.') + 1, salt.indexOf('@')));
    assertThat(seconds).isBetween(before, after);
  }

  @Test
  void consecutiveSaltsDiffer() {
    assertThat(Salts.newSalt("a")).isNotEqualTo(Salts.newSalt("a"));
  }
}
