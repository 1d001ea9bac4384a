package io.mailgate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {

  @TempDir
  Path prefix;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void printsAOneHourTokenForTheUserThatTheDemoJwksVerifies() throws Exception {
    assertThat(run("alice@example.org")).isZero();
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).endsWith(System.lineSeparator()).doesNotContain(" ");
    assertThat(printed.lines()).hasSize(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("made a new key pair")
        .contains(prefix.resolve("conf/demo").toString());

    JWKSet keys = JWKSet.load(prefix.resolve("conf/demo/demo-issuer-jwks.json").toFile());
    JWTClaimsSet claims = DemoTokenIssuerTest.verify(printed.strip(), keys);
    assertThat(claims.getSubject()).isEqualTo("alice@example.org");
    assertThat(claims.getStringClaim("email")).isEqualTo("alice@example.org");
    assertThat(claims.getStringClaim("scope")).isEqualTo("mail");
    assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(3_600_000);
  }

  @Test
  void laterRunsReuseTheKeyQuietly() throws Exception {
    assertThat(run("a")).isZero();
    String kid = DemoTokenIssuer.loadOrCreate(prefix.resolve("conf/demo")).keyId();
    err.reset();
    out.reset();
    assertThat(run("token", "b")).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(com.nimbusds.jwt.SignedJWT.parse(out.toString(StandardCharsets.UTF_8).strip()).getHeader().getKeyID())
        .isEqualTo(kid);
  }

  @Test
  void wrongArgumentsPrintTheUsageAndNoToken() {
    for (String[] args : new String[][] {{}, {"a", "b"}, {"-x"}, {"token"}, {" "}}) {
      out.reset();
      err.reset();
      assertThat(run(args)).as(String.join(",", args)).isEqualTo(1);
      assertThat(out.size()).isZero();
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("Usage: mailgate token USER");
    }
    assertThat(prefix.resolve("conf")).doesNotExist();
  }

  @Test
  void helpPrintsTheUsage() {
    assertThat(run("-h")).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("OAUTHBEARER");
    assertThat(out.size()).isZero();
  }

  @Test
  void anUnusableIssuerFolderFails() throws Exception {
    Files.createDirectories(prefix.resolve("conf"));
    Files.writeString(prefix.resolve("conf/demo"), "not a folder");
    assertThat(run("alice")).isEqualTo(1);
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("mailgate: [emerg] ");
  }

  private int run(String... args) {
    return TokenCommand.run(args, prefix, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
