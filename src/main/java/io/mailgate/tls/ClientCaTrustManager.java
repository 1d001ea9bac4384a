package io.mailgate.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS layer's view of {@code ssl_verify_client}: it requests a certificate naming the
 * {@code ssl_client_certificate} CAs and accepts whatever comes, so the handshake always completes as with nginx
 * (whose verify callback always returns 1). The real check is {@link ClientCertVerifier}, read by
 * {@link ClientTlsInfo#of}.
 */
final class ClientCaTrustManager extends X509ExtendedTrustManager {
  private final X509Certificate[] requestedCas;

  ClientCaTrustManager(List<X509Certificate> requestedCas) {
    this.requestedCas = requestedCas.toArray(new X509Certificate[0]);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    // Accepted here on purpose: the verification result is computed and reported after the handshake.
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    // As above.
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    // As above.
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("not a client-side trust manager");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("not a client-side trust manager");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("not a client-side trust manager");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return requestedCas.clone();
  }
}
