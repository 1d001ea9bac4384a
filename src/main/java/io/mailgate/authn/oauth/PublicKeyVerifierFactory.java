package io.mailgate.authn.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.EdECPublicKey;
import java.util.HashSet;
import java.util.Set;

/**
 * Nimbus's verifiers for RSA and ECDSA, plus the JDK's Ed25519; and only ever for public keys, so that no key from
 * a key set can be turned into an HMAC secret (the "HS256 signed with the RSA public key" forgery).
 */
final class PublicKeyVerifierFactory implements JWSVerifierFactory {

  private final DefaultJWSVerifierFactory nimbus = new DefaultJWSVerifierFactory();

  @Override
  public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
    if (!(key instanceof PublicKey)) {
      throw new JOSEException("only public keys verify tokens");
    }
    if (JcaEd25519Verifier.ALGORITHMS.contains(header.getAlgorithm())) {
      if (!(key instanceof EdECPublicKey)) {
        throw new JOSEException("an Ed25519 token needs an Ed25519 key");
      }
      return new JcaEd25519Verifier((PublicKey) key);
    }
    if (JWSAlgorithm.Family.HMAC_SHA.contains(header.getAlgorithm())) {
      throw new JOSEException("HMAC tokens are never accepted");
    }
    return nimbus.createJWSVerifier(header, key);
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    Set<JWSAlgorithm> all = new HashSet<>(JWSAlgorithm.Family.RSA);
    all.addAll(JWSAlgorithm.Family.EC);
    all.addAll(JcaEd25519Verifier.ALGORITHMS);
    return all;
  }

  @Override
  public JCAContext getJCAContext() {
    return nimbus.getJCAContext();
  }
}
