package io.mailgate.authn.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/** Keys, claims and signed tokens for the tests, all made here with Nimbus (and the JDK for Ed25519). */
final class TestTokens {

  static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
  static final String ISSUER = "https://idp.example";
  static final URI JWKS = URI.create("https://idp.example/jwks");
  static final URI DISCOVERY = URI.create("https://idp.example/.well-known/openid-configuration");
  static final URI INTROSPECT = URI.create("https://idp.example/introspect");

  static final RSAKey RSA1 = rsa("rsa1");
  static final RSAKey RSA2 = rsa("rsa2");
  static final ECKey EC1 = ec("ec1");
  static final KeyPair ED_PAIR = ed25519();
  static final OctetKeyPair ED1 = edJwk("ed1");

  private TestTokens() {}

  /** Valid claims at {@link #NOW}: issuer, audience {@code mail}, five minutes left, alice's email, two scopes. */
  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience("mail")
        .subject("u-1")
        .issueTime(Date.from(NOW.minusSeconds(10)))
        .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(5))))
        .claim("email", "alice@example.com")
        .claim("scope", "openid mail");
  }

  static String rs256(JWTClaimsSet claims) {
    return rsa(JWSAlgorithm.RS256, RSA1, claims);
  }

  static String rsa(JWSAlgorithm alg, RSAKey key, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header(alg, key.getKeyID()), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String es256(JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header(JWSAlgorithm.ES256, EC1.getKeyID()), claims);
      jwt.sign(new ECDSASigner(EC1));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An EdDSA token signed with the JDK's Ed25519 (Nimbus's Ed25519Signer needs Tink, which is absent). */
  static String edDsa(JWTClaimsSet claims) {
    try {
      JWSHeader header = header(JWSAlgorithm.EdDSA, ED1.getKeyID());
      SignedJWT unsigned = new SignedJWT(header, claims);
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(ED_PAIR.getPrivate());
      signer.update(unsigned.getSigningInput());
      return new SignedJWT(header.toBase64URL(), unsigned.getPayload().toBase64URL(),
          Base64URL.encode(signer.sign())).serialize();
    } catch (GeneralSecurityException | java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  static JWSHeader header(JWSAlgorithm alg, String kid) {
    return new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build();
  }

  /** The public JWKS document of {@code keys}. */
  static String jwks(JWK... keys) {
    List<JWK> pub = new ArrayList<>();
    Arrays.stream(keys).forEach(k -> pub.add(k.toPublicJWK()));
    return new JWKSet(pub).toString();
  }

  private static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JWK of {@link #ED_PAIR}: the raw key is the last 32 bytes of its X.509 encoding. */
  private static OctetKeyPair edJwk(String kid) {
    byte[] spki = ED_PAIR.getPublic().getEncoded();
    byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build();
  }
}
