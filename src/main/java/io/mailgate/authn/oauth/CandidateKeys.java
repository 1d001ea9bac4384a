package io.mailgate.authn.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys of a key set that may have signed a JWS with this header: right key type (and curve) for the
 * algorithm, the header's {@code kid} if it names one, {@code use} absent or {@code sig}, {@code alg} absent or equal.
 * Symmetric ({@code oct}) keys never qualify.
 */
final class CandidateKeys {

  private static final Logger log = LoggerFactory.getLogger(CandidateKeys.class);

  private CandidateKeys() {}

  static List<PublicKey> select(JWSHeader header, JWKSet keys) {
    JWSAlgorithm alg = header.getAlgorithm();
    JWKMatcher.Builder matcher = new JWKMatcher.Builder()
        .keyUses(KeyUse.SIGNATURE, null)
        .algorithms(alg, null);
    if (JWSAlgorithm.Family.RSA.contains(alg)) {
      matcher.keyType(KeyType.RSA);
    } else if (JWSAlgorithm.Family.EC.contains(alg)) {
      matcher.keyType(KeyType.EC).curves(Curve.forJWSAlgorithm(alg));
    } else if (JcaEd25519Verifier.ALGORITHMS.contains(alg)) {
      matcher.keyType(KeyType.OKP).curves(Curve.Ed25519);
    } else {
      return List.of();
    }
    if (header.getKeyID() != null) {
      matcher.keyID(header.getKeyID());
    }
    List<PublicKey> result = new ArrayList<>();
    for (JWK jwk : new JWKSelector(matcher.build()).select(keys)) {
      try {
        result.add(toPublicKey(jwk));
      } catch (JOSEException | GeneralSecurityException e) {
        log.debug("oauth: unusable key {} skipped: {}", jwk.getKeyID(), e.getMessage());
      }
    }
    return result;
  }

  private static PublicKey toPublicKey(JWK jwk) throws JOSEException, GeneralSecurityException {
    if (jwk instanceof RSAKey rsa) {
      return rsa.toRSAPublicKey();
    }
    if (jwk instanceof ECKey ec) {
      return ec.toECPublicKey();
    }
    if (jwk instanceof OctetKeyPair okp) {
      return Ed25519Keys.publicKey(okp.getDecodedX());
    }
    throw new JOSEException("not a public key type: " + jwk.getKeyType());
  }
}
