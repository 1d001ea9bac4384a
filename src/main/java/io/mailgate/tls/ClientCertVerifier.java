package io.mailgate.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Checks a client's certificate chain the way OpenSSL's X509_verify_cert() does for nginx's
 * {@code ssl_verify_client}: build the chain from the sent certificates and the trusted CAs, require a trusted
 * self-signed root, limit the length ({@code ssl_verify_depth} d allows d + 2 certificates, the root included), check
 * CRLs of every certificate when {@code ssl_crl} is set (X509_V_FLAG_CRL_CHECK_ALL), then signatures and validity
 * from the root down. It returns the first error with OpenSSL's wording instead of throwing.
 */
final class ClientCertVerifier {
  private final List<X509Certificate> trusted;
  private final List<X509CRL> crls;
  private final int depth;

  ClientCertVerifier(List<X509Certificate> trusted, List<X509CRL> crls, int depth) {
    this.trusted = List.copyOf(trusted);
    this.crls = List.copyOf(crls);
    this.depth = depth;
  }

  /** The result for the chain a client sent (leaf first); NONE when it sent nothing. */
  Verification verify(X509Certificate[] sent, Date now) {
    if (sent == null || sent.length == 0) {
      return new Verification.None();
    }
    List<X509Certificate> untrusted = new ArrayList<>(Arrays.asList(sent).subList(1, sent.length));
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(sent[0]);
    Optional<String> error = build(chain, untrusted);
    if (error.isPresent()) {
      return new Verification.Failed(error.get());
    }
    return check(chain, now).<Verification>map(Verification.Failed::new).orElseGet(Verification.Success::new);
  }

  /** Extends {@code chain} up to a trusted root; an error when that is impossible or too long. */
  private Optional<String> build(List<X509Certificate> chain, List<X509Certificate> untrusted) {
    boolean topTrusted = false;
    while (true) {
      X509Certificate top = chain.get(chain.size() - 1);
      if (selfIssued(top)) {
        if (topTrusted || isTrusted(top)) {
          return Optional.empty();
        }
        return Optional.of(chain.size() == 1 ? VerifyReasons.SELF_SIGNED_LEAF : VerifyReasons.SELF_SIGNED_IN_CHAIN);
      }
      if (chain.size() > depth + 1) {
        return Optional.of(VerifyReasons.CHAIN_TOO_LONG);
      }
      Optional<X509Certificate> issuer = findIssuer(top, trusted);
      if (issuer.isPresent()) {
        topTrusted = true;
      } else {
        if (topTrusted) {
          // A trusted intermediate whose root is not trusted: OpenSSL wants a full chain (no partial chains).
          return Optional.of(VerifyReasons.NO_ISSUER);
        }
        issuer = findIssuer(top, untrusted);
        if (issuer.isEmpty()) {
          return Optional.of(VerifyReasons.NO_LOCAL_ISSUER);
        }
        untrusted.remove(issuer.get());
      }
      chain.add(issuer.get());
    }
  }

  private Optional<String> check(List<X509Certificate> chain, Date now) {
    for (int i = 1; i < chain.size(); i++) {
      X509Certificate ca = chain.get(i);
      boolean v1Root = ca.getVersion() < 3 && i == chain.size() - 1;
      if (ca.getBasicConstraints() < 0 && !v1Root) {
        return Optional.of(VerifyReasons.INVALID_CA);
      }
    }
    if (!crls.isEmpty()) {
      for (int i = 0; i < chain.size(); i++) {
        X509Certificate issuer = chain.get(Math.min(i + 1, chain.size() - 1));
        Optional<String> crlError = revocation(chain.get(i), issuer, now);
        if (crlError.isPresent()) {
          return crlError;
        }
      }
    }
    // OpenSSL's internal_verify() walks from the root down: the highest failing certificate is reported.
    for (int i = chain.size() - 1; i >= 0; i--) {
      X509Certificate cert = chain.get(i);
      X509Certificate issuer = chain.get(Math.min(i + 1, chain.size() - 1));
      if (i < chain.size() - 1 && !signedBy(cert, issuer)) {
        return Optional.of(VerifyReasons.SIGNATURE);
      }
      try {
        cert.checkValidity(now);
      } catch (CertificateExpiredException e) {
        return Optional.of(VerifyReasons.EXPIRED);
      } catch (CertificateNotYetValidException e) {
        return Optional.of(VerifyReasons.NOT_YET_VALID);
      }
    }
    return Optional.empty();
  }

  private Optional<String> revocation(X509Certificate cert, X509Certificate issuer, Date now) {
    for (X509CRL crl : crls) {
      if (!crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal())) {
        continue;
      }
      try {
        crl.verify(issuer.getPublicKey());
      } catch (GeneralSecurityException e) {
        return Optional.of(VerifyReasons.CRL_SIGNATURE);
      }
      if (crl.getThisUpdate().after(now)) {
        return Optional.of(VerifyReasons.CRL_NOT_YET_VALID);
      }
      if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now)) {
        return Optional.of(VerifyReasons.CRL_EXPIRED);
      }
      return crl.isRevoked(cert) ? Optional.of(VerifyReasons.REVOKED) : Optional.empty();
    }
    return Optional.of(VerifyReasons.NO_CRL);
  }

  private boolean isTrusted(X509Certificate cert) {
    return trusted.contains(cert);
  }

  /** Issuer candidates are matched by name, as OpenSSL does; the signature is checked later. */
  private static Optional<X509Certificate> findIssuer(X509Certificate cert, List<X509Certificate> pool) {
    X509Certificate byName = null;
    for (X509Certificate candidate : pool) {
      if (candidate.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
        if (signedBy(cert, candidate)) {
          return Optional.of(candidate);
        }
        byName = byName == null ? candidate : byName;
      }
    }
    return Optional.ofNullable(byName);
  }

  private static boolean selfIssued(X509Certificate cert) {
    return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) && signedBy(cert, cert);
  }

  private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
