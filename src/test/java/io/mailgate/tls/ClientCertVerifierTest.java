package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.TestPki;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCertVerifierTest {
  @TempDir
  static Path dir;
  static TestPki pki;
  static TestPki sub;
  static TestPki.Pair good;

  @BeforeAll
  static void pki() {
    pki = TestPki.create(dir);
    sub = pki.subordinate("Mailgate Sub CA");
    good = pki.client("good", "CN=good");
  }

  private static Verification verify(int depth, List<X509Certificate> trusted, List<java.security.cert.X509CRL> crls,
      X509Certificate... sent) {
    return new ClientCertVerifier(trusted, crls, depth).verify(sent, new Date());
  }

  @Test
  void aCertificateIssuedByATrustedCaSucceeds() {
    assertThat(verify(1, List.of(pki.ca().x509()), List.of(), good.x509())).isEqualTo(new Verification.Success());
  }

  @Test
  void noCertificateIsNone() {
    assertThat(verify(1, List.of(pki.ca().x509()), List.of()).text()).isEqualTo("NONE");
  }

  @Test
  void anExpiredCertificateFailsWithOpenSslsReason() {
    X509Certificate expired = pki.expiredClient("expired", "expired").x509();
    assertThat(verify(1, List.of(pki.ca().x509()), List.of(), expired).text())
        .isEqualTo("FAILED:certificate has expired");
  }

  @Test
  void aRevokedCertificateFailsWhenTheCrlListsIt() throws Exception {
    X509Certificate revoked = pki.revokedClient("revoked", "revoked").x509();
    List<java.security.cert.X509CRL> crls = PemLoader.crls(pki.crl());
    assertThat(verify(1, List.of(pki.ca().x509()), crls, revoked).text()).isEqualTo("FAILED:certificate revoked");
    assertThat(verify(1, List.of(pki.ca().x509()), crls, good.x509()).text()).isEqualTo("SUCCESS");
    assertThat(verify(1, List.of(pki.ca().x509()), List.of(), revoked).text()).isEqualTo("SUCCESS");
  }

  @Test
  void withCrlsEveryIssuerInTheChainNeedsOneAsWithCrlCheckAll() throws Exception {
    X509Certificate leaf = sub.client("sub-leaf", "CN=sub leaf").x509();
    List<java.security.cert.X509CRL> onlyRoot = PemLoader.crls(pki.crl());
    assertThat(verify(2, List.of(pki.ca().x509()), onlyRoot, leaf, sub.ca().x509()).text())
        .isEqualTo("FAILED:unable to get certificate CRL");
  }

  @Test
  void aCertificateFromAnUnknownCaCannotFindItsIssuer() {
    TestPki other = TestPki.create(dir, "Other CA");
    X509Certificate foreign = other.client("foreign", "CN=foreign").x509();
    Verification result = verify(1, List.of(pki.ca().x509()), List.of(), foreign);
    assertThat(result.text()).isEqualTo("FAILED:unable to get local issuer certificate");
    assertThat(((Verification.Failed) result).onlyUntrustedIssuer()).isTrue();
  }

  @Test
  void aSelfSignedCertificateIsRefusedUnlessItIsTrustedItself() {
    X509Certificate self = pki.selfSigned("self", "self").x509();
    assertThat(verify(1, List.of(pki.ca().x509()), List.of(), self).text())
        .isEqualTo("FAILED:self-signed certificate");
    assertThat(verify(1, List.of(self), List.of(), self).text()).isEqualTo("SUCCESS");
  }

  @Test
  void theDepthAllowsThatManyIntermediatesBelowTheRootAsOpenSsl() {
    X509Certificate leaf = sub.client("sub-leaf2", "CN=sub leaf 2").x509();
    List<X509Certificate> roots = List.of(pki.ca().x509());
    assertThat(verify(1, roots, List.of(), leaf, sub.ca().x509()).text()).isEqualTo("SUCCESS");
    assertThat(verify(0, roots, List.of(), leaf, sub.ca().x509()).text())
        .isEqualTo("FAILED:certificate chain too long");
    assertThat(verify(0, roots, List.of(), good.x509()).text()).isEqualTo("SUCCESS");
  }

  @Test
  void aMissingIntermediateMeansNoLocalIssuerAndATrustedIntermediateAloneIsNotEnough() {
    X509Certificate leaf = sub.client("sub-leaf3", "CN=sub leaf 3").x509();
    assertThat(verify(2, List.of(pki.ca().x509()), List.of(), leaf).text())
        .isEqualTo("FAILED:unable to get local issuer certificate");
    assertThat(verify(2, List.of(sub.ca().x509()), List.of(), leaf).text())
        .isEqualTo("FAILED:unable to get issuer certificate");
  }

  @Test
  void theReasonsAreThoseOfOpenSslVerifyForTheSameFiles() throws Exception {
    TestPki.Pair expired = pki.expiredClient("x-expired", "x-expired");
    TestPki.Pair revoked = pki.revokedClient("x-revoked", "x-revoked");
    TestPki.Pair self = pki.selfSigned("x-self", "x-self");
    TestPki.Pair foreign = TestPki.create(dir, "Foreign CA").client("x-foreign", "CN=x-foreign");
    TestPki.Pair deep = sub.client("x-deep", "CN=x-deep");
    Path crl = pki.crl();
    List<X509Certificate> roots = List.of(pki.ca().x509());
    assertThat(verify(1, roots, List.of(), expired.x509()).text())
        .isEqualTo("FAILED:" + openSslVerify("1", null, null, expired.certificate()));
    assertThat(verify(1, roots, PemLoader.crls(crl), revoked.x509()).text())
        .isEqualTo("FAILED:" + openSslVerify("1", crl, null, revoked.certificate()));
    assertThat(verify(1, roots, List.of(), self.x509()).text())
        .isEqualTo("FAILED:" + openSslVerify("1", null, null, self.certificate()));
    assertThat(verify(1, roots, List.of(), foreign.x509()).text())
        .isEqualTo("FAILED:" + openSslVerify("1", null, null, foreign.certificate()));
    assertThat(verify(0, roots, List.of(), deep.x509(), sub.ca().x509()).text())
        .isEqualTo("FAILED:" + openSslVerify("0", null, sub.ca().certificate(), deep.certificate()));
  }

  private static String openSslVerify(String depth, Path crl, Path untrusted, Path leaf) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl", "verify", "-verify_depth", depth, "-CAfile",
        pki.ca().certificate().toString()));
    if (crl != null) {
      command.addAll(List.of("-crl_check_all", "-CRLfile", crl.toString()));
    }
    if (untrusted != null) {
      command.addAll(List.of("-untrusted", untrusted.toString()));
    }
    command.add(leaf.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    process.waitFor();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("error \\d+ at \\d+ depth lookup: (.*)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1).trim();
  }
}
