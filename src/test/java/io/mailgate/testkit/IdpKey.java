package io.mailgate.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

/**
 * A signing key pair of the test identity provider ({@link IdpServer}): RS256 (RSA 2048) or ES256 (P-256), with a
 * {@code kid}. Only the public half is ever published.
 */
public final class IdpKey {

  private final JWK privateJwk;
  private final JWSAlgorithm algorithm;
  private final JWSSigner signer;

  private IdpKey(JWK privateJwk, JWSAlgorithm algorithm, JWSSigner signer) {
    this.privateJwk = privateJwk;
    this.algorithm = algorithm;
    this.signer = signer;
  }

  /** A fresh RSA 2048 key for RS256. */
  public static IdpKey rs256(String kid) {
    try {
      RSAKey key = new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
          .generate();
      return new IdpKey(key, JWSAlgorithm.RS256, new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  /** A fresh P-256 key for ES256. */
  public static IdpKey es256(String kid) {
    try {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
          .generate();
      return new IdpKey(key, JWSAlgorithm.ES256, new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("EC key generation failed", e);
    }
  }

  /** The key id. */
  public String kid() {
    return privateJwk.getKeyID();
  }

  /** The JWS algorithm this key signs with. */
  public JWSAlgorithm algorithm() {
    return algorithm;
  }

  /** The public half, as published in the JWKS. */
  public JWK publicJwk() {
    return privateJwk.toPublicJWK();
  }

  /** Nimbus's signer for this key. */
  JWSSigner signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "IdpKey[" + algorithm + ", kid=" + kid() + "]";
  }
}
