package io.mailgate.tls;

import java.util.Set;

/** OpenSSL's X509_verify_cert_error_string() texts (OpenSSL 3 wording) for the checks mailgate performs. */
final class VerifyReasons {
  static final String SELF_SIGNED_LEAF = "self-signed certificate";
  static final String SELF_SIGNED_IN_CHAIN = "self-signed certificate in certificate chain";
  static final String NO_LOCAL_ISSUER = "unable to get local issuer certificate";
  static final String NO_ISSUER = "unable to get issuer certificate";
  static final String CHAIN_TOO_LONG = "certificate chain too long";
  static final String INVALID_CA = "invalid CA certificate";
  static final String NO_CRL = "unable to get certificate CRL";
  static final String CRL_EXPIRED = "CRL has expired";
  static final String CRL_NOT_YET_VALID = "CRL is not yet valid";
  static final String CRL_SIGNATURE = "CRL signature failure";
  static final String REVOKED = "certificate revoked";
  static final String SIGNATURE = "certificate signature failure";
  static final String EXPIRED = "certificate has expired";
  static final String NOT_YET_VALID = "certificate is not yet valid";
  static final String UNTRUSTED = "certificate not trusted";
  static final String LEAF_SIGNATURE = "unable to verify the first certificate";

  /** The errors nginx's ngx_ssl_verify_error_optional() tolerates for {@code optional_no_ca}. */
  static final Set<String> ISSUER_ONLY =
      Set.of(SELF_SIGNED_LEAF, SELF_SIGNED_IN_CHAIN, NO_LOCAL_ISSUER, UNTRUSTED, LEAF_SIGNATURE);

  private VerifyReasons() {}
}
