package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenSslFormatTest {
  @TempDir
  static Path dir;
  static TestPki pki;
  static TestPki.Pair alice;

  @BeforeAll
  static void pki() {
    pki = TestPki.create(dir);
    alice = pki.client("alice", "C=DE", "O=Example, Inc.", "OU=Mail+Ops", "CN=Jürgen \"Alice\" #1 ",
        "emailAddress=alice@example.com");
  }

  @Test
  void subjectAndIssuerAreWhatOpenSslPrintsWithNameoptRfc2253() throws Exception {
    assertThat(OpenSslFormat.rfc2253(alice.x509().getSubjectX500Principal()))
        .isEqualTo(openSsl(alice.certificate(), "-subject").substring("subject=".length()))
        .startsWith("emailAddress=alice@example.com,CN=J\\C3\\BCrgen \\\"Alice\\\" #1\\ ,OU=Mail\\+Ops,");
    assertThat(OpenSslFormat.rfc2253(alice.x509().getIssuerX500Principal()))
        .isEqualTo(openSsl(alice.certificate(), "-issuer").substring("issuer=".length()))
        .isEqualTo("CN=Mailgate Test CA,O=Mailgate");
  }

  @Test
  void theSerialIsUpperCaseHexWithAnEvenNumberOfDigitsAsOpenSslPrintsIt() throws Exception {
    assertThat(OpenSslFormat.serial(alice.x509().getSerialNumber()))
        .isEqualTo(openSsl(alice.certificate(), "-serial").substring("serial=".length()));
    assertThat(OpenSslFormat.serial(BigInteger.ZERO)).isEqualTo("00");
    assertThat(OpenSslFormat.serial(BigInteger.valueOf(0x123))).isEqualTo("0123");
    assertThat(OpenSslFormat.serial(BigInteger.valueOf(-0xAB))).isEqualTo("-AB");
  }

  @Test
  void theFingerprintIsTheLowerCaseSha1WithoutColons() throws Exception {
    String openssl = openSsl(alice.certificate(), "-fingerprint", "-sha1");
    assertThat(OpenSslFormat.fingerprint(alice.x509()))
        .isEqualTo(openssl.substring(openssl.indexOf('=') + 1).replace(":", "").toLowerCase(Locale.ROOT))
        .hasSize(40);
  }

  @Test
  void thePemIsByteForByteWhatOpenSslWrites() throws Exception {
    String pem = openSslRaw(alice.certificate());
    assertThat(OpenSslFormat.pem(alice.x509())).isEqualTo(pem).endsWith("-----END CERTIFICATE-----\n");
  }

  private static String openSsl(Path cert, String... options) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl", "x509", "-noout", "-nameopt", "RFC2253", "-in",
        cert.toString()));
    command.addAll(List.of(options));
    return run(command).trim();
  }

  private static String openSslRaw(Path cert) throws IOException, InterruptedException {
    Path out = dir.resolve("reencoded.pem");
    run(List.of("openssl", "x509", "-in", cert.toString(), "-out", out.toString()));
    return Files.readString(out, StandardCharsets.US_ASCII);
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return out;
  }
}
