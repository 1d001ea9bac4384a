package io.mailgate.tls;

/** The client certificate check result, as nginx's {@code $ssl_client_verify}: SUCCESS, FAILED:reason or NONE. */
public sealed interface Verification {

  /** The text nginx sends in {@code Auth-SSL-Verify}. */
  String text();

  /** The certificate chain was verified. */
  record Success() implements Verification {
    @Override
    public String text() {
      return "SUCCESS";
    }
  }

  /**
   * The certificate failed the check.
   *
   * @param reason OpenSSL's wording of the error, e.g. {@code certificate has expired}
   */
  record Failed(String reason) implements Verification {
    @Override
    public String text() {
      return "FAILED:" + reason;
    }

    /**
     * Whether {@code ssl_verify_client optional_no_ca} lets this failure pass: nginx accepts errors that only say the
     * issuer is unknown or self-signed, never expiry or revocation.
     */
    public boolean onlyUntrustedIssuer() {
      return VerifyReasons.ISSUER_ONLY.contains(reason);
    }
  }

  /** No certificate was sent (or none was requested). */
  record None() implements Verification {
    @Override
    public String text() {
      return "NONE";
    }
  }
}
