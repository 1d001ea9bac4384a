package io.mailgate.authn.users;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHashesTest {

  // Argon2 reference implementation (P-H-C/phc-winner-argon2, src/test.c): "password", salt "somesalt", t=2, m=64 MiB.
  private static final String ARGON2_REFERENCE =
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // openssl passwd -6 -salt abc secret
      "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1 | secret",
      // openssl passwd -6 -salt saltstring 'Hello world!' (also the vector in Drepper's SHA-crypt specification)
      "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"
          + " | Hello world!",
      // openssl passwd -6 -salt Zz9 'pässwörd' (UTF-8 bytes)
      "$6$Zz9$xQHiGS9.1YOwnCciNkDubnAU58BKY1l0Q/up1eobaEu68fZtjSbHQB7bcbaFOY8hde3.1Jl0NSR9..Z.bar8X/ | pässwörd",
      // Python crypt.crypt('secret', '$6$rounds=10000$saltsalt') (libxcrypt)
      "$6$rounds=10000$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u."
          + " | secret",
      // the OpenBSD/jBCrypt test vector for "abc", re-checked with libxcrypt
      "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i | abc",
      // Python crypt.crypt (libxcrypt) with $2y$ and $2b$ salts
      "$2y$10$0123456789abcdefghijke9ORJj3oxHORehl3kCDiTb7DE.M1QRDi | secret",
      "$2b$05$ZYXWVUTSRQPONMLKJIHGFeh3HZR8qkeZW5B4ZfyCdW4BwNA4EPwJ6 | pässwörd",
      ARGON2_REFERENCE + " | password"})
  void verifiesHashesMadeByOtherTools(String hash, String password) {
    assertThat(PasswordHashes.isSupported(hash)).isTrue();
    assertThat(PasswordHashes.verify(hash, password.getBytes(UTF_8))).isTrue();
    assertThat(PasswordHashes.verify(hash, (password + "x").getBytes(UTF_8))).isFalse();
    assertThat(PasswordHashes.verify(hash, password.substring(1).getBytes(UTF_8))).isFalse();
    assertThat(PasswordHashes.verify(hash, new byte[0])).isFalse();
  }

  @Test
  void bcryptCountsOnlyTheFirst72BytesLikeLibxcrypt() {
    // Python crypt.crypt('p' * 100, '$2b$04$abcdefghijklmnopqrstuu')
    String hash = "$2b$04$abcdefghijklmnopqrstuuNt.0ah97gHY3F7JC1Z6EXmQc0bQBhIO";

    assertThat(PasswordHashes.verify(hash, "p".repeat(100).getBytes(UTF_8))).isTrue();
    assertThat(PasswordHashes.verify(hash, ("p".repeat(72) + "q").getBytes(UTF_8))).isTrue();
    assertThat(PasswordHashes.verify(hash, "p".repeat(71).getBytes(UTF_8))).isFalse();
  }

  @Test
  void generatedHashesVerifyAndCarryTheirScheme() {
    byte[] password = "correct horse".getBytes(UTF_8);
    byte[] wrong = "correct horsE".getBytes(UTF_8);

    String bcrypt = PasswordHashes.bcrypt(password, 4);
    String sha512 = PasswordHashes.sha512Crypt(password);
    String argon2 = PasswordHashes.argon2id(password);

    assertThat(bcrypt).startsWith("$2b$04$").hasSize(60);
    assertThat(sha512).matches("\\$6\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{86}");
    assertThat(argon2).matches("\\$argon2id\\$v=19\\$m=65536,t=3,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    for (String hash : new String[] {bcrypt, sha512, argon2}) {
      assertThat(PasswordHashes.verify(hash, password)).as(hash).isTrue();
      assertThat(PasswordHashes.verify(hash, wrong)).as(hash).isFalse();
    }
    assertThat(PasswordHashes.sha512Crypt(password)).as("random salt").isNotEqualTo(sha512);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1",
      "$2y$10$0123456789abcdefghijke9ORJj3oxHORehl3kCDiTb7DE.M1QRDi",
      ARGON2_REFERENCE})
  void leavesTheCallersPasswordUntouched(String hash) {
    byte[] password = "secret".getBytes(UTF_8);

    PasswordHashes.verify(hash, password);

    assertThat(password).isEqualTo("secret".getBytes(UTF_8));
  }

  @Test
  void refusesBcryptCostsOutsideItsRange() {
    assertThatThrownBy(() -> PasswordHashes.bcrypt(new byte[] {1}, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PasswordHashes.bcrypt(new byte[] {1}, 32)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PasswordHashes.bcrypt(new byte[] {1}, BcryptScheme.MAX_COST + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Found by PasswordHashFuzzTest: well-formed hashes whose cost would pin a verifier thread for minutes to days
   * (bcrypt cost 31, 999,999,999 SHA-512-crypt rounds, Argon2id with 1 GiB and 1024 passes) were usable. The costs
   * are now capped (BcryptScheme.MAX_COST, Sha512CryptScheme.MAX_ROUNDS, Argon2idPhc.MAX_WORK_KIB); the largest
   * allowed value of each is still accepted. Nothing here is verified: that is the expensive part.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "$2b$31$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u | false",
      "$2a$16$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u | false",
      "$2y$15$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u | true",
      "$6$rounds=999999999$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u."
          + " | false",
      "$6$rounds=5000001$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u."
          + " | false",
      "$6$rounds=5000000$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u."
          + " | true",
      "$argon2id$v=19$m=1048576,t=1024,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc | false",
      "$argon2id$v=19$m=65536,t=17,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc | false",
      "$argon2id$v=19$m=65536,t=16,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc | true",
      "$argon2id$v=19$m=1048576,t=1,p=4$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc | true"})
  void refusesHashesWhoseCostWouldPinAVerifierForMinutes(String hash, boolean supported) {
    assertThat(PasswordHashes.isSupported(hash)).isEqualTo(supported);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "secret",
      "{PLAIN}secret",
      // MD5-crypt and SHA-256-crypt are not supported
      "$1$abc$8zXPhBm1r6wcZhAvV1/ns.",
      "$5$abc$ziq6Fji8PIvZP0RaqHdfuCvd3r3ol6nuSN4KeQ/RQj7",
      "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
      // truncated or corrupted hashes of supported schemes
      "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR",
      "$6$$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1",
      "$6$abcdefghijklmnopq$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1",
      "$6$rounds=0$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1",
      "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0",
      "$2a$03$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
      "$2a$32$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
      "$2x$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
      "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0!",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
      "$argon2id$v=18$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$t=2,m=65536,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C"})
  void neverVerifiesMalformedOrUnsupportedHashes(String hash) {
    assertThat(PasswordHashes.isSupported(hash)).isFalse();
    assertThat(PasswordHashes.verify(hash, "secret".getBytes(UTF_8))).isFalse();
    assertThat(PasswordHashes.verify(hash, "password".getBytes(UTF_8))).isFalse();
    assertThat(PasswordHashes.verify(hash, "abc".getBytes(UTF_8))).isFalse();
  }
}
