package io.mailgate.tls;

import io.mailgate.auth.AuthRequest;
import io.mailgate.config.TlsConfig;
import io.netty.channel.Channel;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a finished handshake tells: the values of nginx's {@code Auth-SSL-*} headers and the input of the
 * {@code ssl_verify_client} decision.
 *
 * @param protocol e.g. {@code TLSv1.3}
 * @param cipher the OpenSSL name, e.g. {@code TLS_AES_128_GCM_SHA256} or {@code ECDHE-RSA-AES128-GCM-SHA256}
 * @param verification the client certificate check ({@code $ssl_client_verify})
 * @param subject the client certificate's subject DN in OpenSSL's RFC 2253 form
 * @param issuer its issuer DN, same form
 * @param serial its serial number in upper-case hex
 * @param fingerprint its SHA-1 fingerprint in lower-case hex
 * @param certificatePem the certificate in PEM, not escaped
 */
public record ClientTlsInfo(
    String protocol,
    String cipher,
    Verification verification,
    Optional<String> subject,
    Optional<String> issuer,
    Optional<String> serial,
    Optional<String> fingerprint,
    Optional<String> certificatePem) {

  /** Set by the server handler: how this channel's client certificates are checked. */
  static final AttributeKey<ClientCertVerifier> VERIFIER = AttributeKey.valueOf(ClientTlsInfo.class, "verifier");
  private static final AttributeKey<ClientTlsInfo> CACHED = AttributeKey.valueOf(ClientTlsInfo.class, "cached");

  /** What the session decides from the client certificate, as nginx's ngx_mail_verify_cert(). */
  public enum CertificateCheck {
    /** Go on with the session. */
    ACCEPTED,
    /** {@code ssl_verify_client on} and no certificate: send the protocol's "no required certificate" reply. */
    NO_REQUIRED_CERTIFICATE,
    /** The certificate failed the check: send the protocol's "certificate error" reply. */
    CERTIFICATE_ERROR
  }

  /**
   * Reads the result from the channel's SslHandler after the handshake (call on the event loop). Computed once per
   * channel; the chain check runs here, not in the handshake, so it also covers resumed sessions.
   *
   * @throws IllegalStateException when the channel has no SslHandler
   */
  public static ClientTlsInfo of(Channel channel) {
    ClientTlsInfo cached = channel.attr(CACHED).get();
    if (cached != null) {
      return cached;
    }
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      throw new IllegalStateException("no SslHandler in the pipeline");
    }
    SSLSession session = ssl.engine().getSession();
    ClientCertVerifier verifier = channel.attr(VERIFIER).get();
    // Without ssl_verify_client no certificate is requested, so none can have come: not asking spares the exception
    // (stack trace included) that getPeerCertificates() throws for a session without one, at every handshake.
    X509Certificate[] chain = verifier == null ? new X509Certificate[0] : peerChain(session);
    Verification verification = chain.length == 0 || verifier == null
        ? new Verification.None()
        : verifier.verify(chain, new Date());
    ClientTlsInfo info = chain.length == 0
        ? new ClientTlsInfo(session.getProtocol(), openSslCipher(session.getCipherSuite()), verification,
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())
        : new ClientTlsInfo(session.getProtocol(), openSslCipher(session.getCipherSuite()), verification,
            Optional.of(OpenSslFormat.rfc2253(chain[0].getSubjectX500Principal())),
            Optional.of(OpenSslFormat.rfc2253(chain[0].getIssuerX500Principal())),
            Optional.of(OpenSslFormat.serial(chain[0].getSerialNumber())),
            Optional.of(OpenSslFormat.fingerprint(chain[0])),
            Optional.of(OpenSslFormat.pem(chain[0])));
    channel.attr(CACHED).set(info);
    return info;
  }

  /**
   * nginx's headers in nginx's order: {@code Auth-SSL: on}, {@code -Protocol}, {@code -Cipher}, and unless
   * {@code ssl_verify_client off}: {@code -Verify}, {@code -Subject}, {@code -Issuer}, {@code -Serial},
   * {@code -Fingerprint} (each only when non-empty), then with {@code auth_http_pass_client_cert on}
   * {@code Auth-SSL-Cert} (PEM, %-escaped like {@code Auth-Pass}).
   */
  public List<AuthRequest.Header> authHeaders(TlsConfig.VerifyClient verifyClient, boolean passClientCert) {
    List<AuthRequest.Header> headers = new ArrayList<>();
    headers.add(new AuthRequest.Header("Auth-SSL", "on"));
    addIfPresent(headers, "Auth-SSL-Protocol", Optional.ofNullable(protocol));
    addIfPresent(headers, "Auth-SSL-Cipher", Optional.ofNullable(cipher));
    if (verifyClient != TlsConfig.VerifyClient.OFF) {
      addIfPresent(headers, "Auth-SSL-Verify", Optional.of(verification.text()));
      addIfPresent(headers, "Auth-SSL-Subject", subject);
      addIfPresent(headers, "Auth-SSL-Issuer", issuer);
      addIfPresent(headers, "Auth-SSL-Serial", serial);
      addIfPresent(headers, "Auth-SSL-Fingerprint", fingerprint);
      if (passClientCert) {
        addIfPresent(headers, "Auth-SSL-Cert", certificatePem.map(ClientTlsInfo::escape));
      }
    }
    return headers;
  }

  /** The decision of nginx's ngx_mail_verify_cert() for this handshake. */
  public CertificateCheck check(TlsConfig.VerifyClient verifyClient) {
    if (verifyClient == TlsConfig.VerifyClient.OFF) {
      return CertificateCheck.ACCEPTED;
    }
    if (verification instanceof Verification.Failed failed
        && (verifyClient != TlsConfig.VerifyClient.OPTIONAL_NO_CA || !failed.onlyUntrustedIssuer())) {
      return CertificateCheck.CERTIFICATE_ERROR;
    }
    if (verifyClient == TlsConfig.VerifyClient.ON && verification instanceof Verification.None) {
      return CertificateCheck.NO_REQUIRED_CERTIFICATE;
    }
    return CertificateCheck.ACCEPTED;
  }

  private static void addIfPresent(List<AuthRequest.Header> headers, String name, Optional<String> value) {
    value.filter(v -> !v.isEmpty()).ifPresent(v -> headers.add(new AuthRequest.Header(name, v)));
  }

  /** nginx's NGX_ESCAPE_MAIL_AUTH: space, {@code %} and bytes below 0x20 become {@code %XX} (upper case). */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 64);
    for (byte raw : text.getBytes(StandardCharsets.ISO_8859_1)) {
      int b = raw & 0xff;
      if (b < 0x20 || b == ' ' || b == '%') {
        out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      } else {
        out.append((char) b);
      }
    }
    return out.toString();
  }

  /** BoringSSL and the JDK report IANA names; nginx sends OpenSSL's (TLS 1.3 names are the same in both). */
  static String openSslCipher(String javaName) {
    if (javaName == null) {
      return null;
    }
    String converted = CipherSuiteConverter.toOpenSsl(javaName, false);
    return converted == null ? javaName : converted;
  }

  private static X509Certificate[] peerChain(SSLSession session) {
    try {
      Certificate[] certs = session.getPeerCertificates();
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate cert : certs) {
        if (cert instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return chain.toArray(new X509Certificate[0]);
    } catch (SSLPeerUnverifiedException noCertificate) {
      return new X509Certificate[0];
    }
  }
}
