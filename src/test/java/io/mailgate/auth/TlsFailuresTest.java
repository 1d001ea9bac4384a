package io.mailgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The log text for a failed TLS handshake with an auth service. */
class TlsFailuresTest {

  @Test
  void theCertificateChecksOwnWordsWinOverTheAlert() {
    SSLHandshakeException e = new SSLHandshakeException("error:1000007d:SSL routines:CERTIFICATE_VERIFY_FAILED");
    e.initCause(new CertificateException("No name matching auth.example.org found"));

    assertThat(TlsFailures.isTls(new DecoderException(e))).isTrue();
    assertThat(TlsFailures.describe(new DecoderException(e)))
        .isEqualTo("SSL handshake failed (certificate refused: No name matching auth.example.org found)");
  }

  @Test
  void anAlertWithoutACertificateProblemIsNamedAsItIs() {
    SSLHandshakeException e = new SSLHandshakeException("Received fatal alert: handshake_failure");

    assertThat(TlsFailures.describe(e)).isEqualTo("SSL handshake failed (Received fatal alert: handshake_failure)");
  }

  @Test
  void aConnectionErrorIsNotTls() {
    assertThat(TlsFailures.isTls(new ConnectException("Connection refused"))).isFalse();
    assertThat(TlsFailures.isTls(new IOException("reset", new IOException("by peer")))).isFalse();
  }
}
