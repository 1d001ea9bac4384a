package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key formats as nginx-tests and OpenSSL write them. */
class PemLoaderTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void keys() throws Exception {
    openssl("genrsa", "-out", dir.resolve("aes-pkcs8.key").toString(), "-passout", "pass:localhost", "-aes128",
        "2048");
    openssl("genrsa", "-out", dir.resolve("aes-trad.key").toString(), "-passout", "pass:localhost", "-aes128",
        "-traditional", "2048");
    openssl("genpkey", "-algorithm", "RSA", "-out", dir.resolve("plain-pkcs8.key").toString());
    openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", dir.resolve("ec-sec1.key").toString());
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    assertThat(new ProcessBuilder(command).redirectErrorStream(true).start().waitFor()).isZero();
  }

  private static PrivateKey load(String file, String... passwords) throws Exception {
    Path key = dir.resolve(file);
    Path cert = dir.resolve(file + ".crt");
    openssl("req", "-x509", "-new", "-subj", "/CN=" + file, "-key", key.toString(), "-passin", "pass:localhost",
        "-out", cert.toString());
    return PemLoader.privateKey(key, List.of(passwords), PemLoader.chain(cert).get(0));
  }

  @Test
  void opensslGenrsaAes128KeysInBothFormatsAreDecrypted() throws Exception {
    assertThat(Files.readString(dir.resolve("aes-pkcs8.key"))).contains("BEGIN ENCRYPTED PRIVATE KEY");
    assertThat(Files.readString(dir.resolve("aes-trad.key"))).contains("Proc-Type: 4,ENCRYPTED");
    assertThat(load("aes-pkcs8.key", "wrong", "localhost").getAlgorithm()).isEqualTo("RSA");
    assertThat(load("aes-trad.key", "localhost").getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void plainPkcs8AndSec1KeysWithEcParametersAreRead() throws Exception {
    assertThat(load("plain-pkcs8.key").getAlgorithm()).isEqualTo("RSA");
    assertThat(Files.readString(dir.resolve("ec-sec1.key"))).contains("BEGIN EC PARAMETERS");
    assertThat(load("ec-sec1.key").getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void encryptedPkcs8FromBouncyCastleIsDecrypted() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("."), "Pem CA");
    TestPki.Pair pair = pki.server(TestPki.KeyType.ECDSA, "pem.example.com");
    Path key = pki.encryptedPkcs8Key(pair, "pw");
    assertThat(PemLoader.privateKey(key, List.of("pw"), pair.x509()).getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void passwordLinesAreSplitOnLfWithCrStrippedAndEmptyLinesSkipped() throws Exception {
    Path file = Files.write(dir.resolve("passwords"), "one\r\n\ntwo\nthree".getBytes(StandardCharsets.US_ASCII));
    assertThat(PemLoader.passwords(Optional.of(file))).containsExactly("one", "two", "three");
  }
}
