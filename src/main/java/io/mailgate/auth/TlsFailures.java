package io.mailgate.auth;

import java.security.cert.CertificateException;
import java.security.cert.CertPathValidatorException;
import javax.net.ssl.SSLException;

/**
 * Names why a TLS handshake with an auth service failed, for the one error line an operator reads: the certificate
 * check's own words when the chain or the name was refused (BoringSSL's alert text alone says only
 * CERTIFICATE_VERIFY_FAILED), else the TLS error.
 */
final class TlsFailures {

  private TlsFailures() {}

  /** Whether {@code cause} comes from the TLS layer (handshake, alert, certificate check). */
  static boolean isTls(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  /** {@code SSL handshake failed (certificate refused: No name matching x found)} and the like. */
  static String describe(Throwable cause) {
    Throwable certificate = null;
    Throwable deepest = cause;
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (certificate == null && (t instanceof CertificateException || t instanceof CertPathValidatorException)) {
        certificate = t;
      }
      if (t.getMessage() != null && !t.getMessage().isEmpty()) {
        deepest = t;
      }
    }
    if (certificate != null) {
      return "SSL handshake failed (certificate refused: " + message(certificate) + ")";
    }
    return "SSL handshake failed (" + message(deepest) + ")";
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
  }
}
