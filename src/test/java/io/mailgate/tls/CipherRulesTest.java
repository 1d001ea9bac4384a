package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CipherRulesTest {
  /** BoringSSL's TLS 1.2 suites as tcnative lists them. */
  private static final List<String> BORINGSSL = List.of("ECDHE-ECDSA-AES128-GCM-SHA256",
      "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
      "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-PSK-CHACHA20-POLY1305",
      "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-PSK-AES128-CBC-SHA", "ECDHE-ECDSA-AES256-SHA",
      "ECDHE-RSA-AES256-SHA", "ECDHE-PSK-AES256-CBC-SHA", "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA",
      "PSK-AES128-CBC-SHA", "AES256-SHA", "PSK-AES256-CBC-SHA");

  @Test
  void nginxsDefaultKeepsEveryAuthenticatedSuiteStrongestAndForwardSecretFirst() {
    assertThat(CipherRules.expand("HIGH:!aNULL:!MD5", BORINGSSL)).containsExactly(
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA",
        "ECDHE-PSK-CHACHA20-POLY1305", "AES256-GCM-SHA384", "AES128-GCM-SHA256", "ECDHE-PSK-AES256-CBC-SHA",
        "AES256-SHA", "PSK-AES256-CBC-SHA", "ECDHE-PSK-AES128-CBC-SHA", "AES128-SHA", "PSK-AES128-CBC-SHA");
  }

  @ParameterizedTest
  @ValueSource(strings = {"HIGH:!aNULL:!MD5", "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL", "ALL:!kRSA:@STRENGTH", "DEFAULT",
      "HIGH:-ECDSA:+AES256:!SHA1", "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA", "kEECDH+AESGCM:EECDH+AES256:!SHA1",
      "HIGH:!3DES:!RSA:-AES128:AES128", "AESGCM:!ECDSA", "MEDIUM:HIGH:!aNULL"})
  void theSelectionAndOrderMatchOpenSslCiphersOnTheSameSuites(String rules) throws Exception {
    List<String> catalog = openSsl("ALL:COMPLEMENTOFALL").stream()
        .filter(name -> !name.contains("DSS") && !name.contains("PSK") && !name.contains("SRP")).toList();
    List<String> expected = openSsl(rules).stream().filter(catalog::contains).toList();
    assertThat(CipherRules.expand(rules, catalog)).containsExactlyElementsOf(expected);
  }

  @Test
  void unknownNamesMatchNothingAndAnEmptyResultIsEmpty() {
    assertThat(CipherRules.expand("NOSUCHCIPHER:!ALL", BORINGSSL)).isEmpty();
    assertThat(CipherRules.expand("NOSUCHCIPHER:AES128-SHA", BORINGSSL)).containsExactly("AES128-SHA");
  }

  @Test
  void aKilledSuiteCannotComeBackButADeletedOneCan() {
    assertThat(CipherRules.expand("AES128-SHA:!AES128-SHA:AES128-SHA", BORINGSSL)).isEmpty();
    assertThat(CipherRules.expand("AES128-SHA:-AES128-SHA:AES128-SHA", BORINGSSL)).containsExactly("AES128-SHA");
  }

  @Test
  void plusMovesMatchesToTheEndAndStrengthSortsStably() {
    assertThat(CipherRules.expand("AES128-SHA:AES256-SHA:AES128-GCM-SHA256:+AES128-SHA", BORINGSSL))
        .containsExactly("AES256-SHA", "AES128-GCM-SHA256", "AES128-SHA");
    assertThat(CipherRules.expand("AES128-SHA:AES256-SHA:AES128-GCM-SHA256:@STRENGTH", BORINGSSL))
        .containsExactly("AES256-SHA", "AES128-SHA", "AES128-GCM-SHA256");
  }

  @Test
  void theSuitesOfTheJdkAreReadFromTheirOpenSslNames() {
    CipherSuiteInfo info = CipherSuiteInfo.parse("DHE-RSA-AES256-SHA256");
    assertThat(info).isEqualTo(new CipherSuiteInfo("DHE-RSA-AES256-SHA256", "kDHE", "aRSA", "AES", "SHA256", 256));
    assertThat(CipherSuiteInfo.parse("DES-CBC3-SHA").bits()).isEqualTo(112);
    assertThat(CipherRules.expand("3DES", List.of("DES-CBC3-SHA", "AES128-SHA"))).containsExactly("DES-CBC3-SHA");
    assertThat(CipherRules.expand("HIGH", List.of("DES-CBC3-SHA", "AES128-SHA"))).containsExactly("AES128-SHA");
  }

  private static List<String> openSsl(String rules) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("openssl", "ciphers", "-s", "-tls1_2", rules).redirectErrorStream(true)
        .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    process.waitFor();
    return Arrays.stream(out.split(":")).filter(name -> !name.startsWith("TLS_")).toList();
  }
}
