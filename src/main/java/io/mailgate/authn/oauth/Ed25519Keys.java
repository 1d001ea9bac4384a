package io.mailgate.authn.oauth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;

/**
 * Turns the raw {@code x} of an Ed25519 JWK (RFC 8037 section 2) into a JDK public key. Nimbus cannot: its
 * {@code OctetKeyPair} does not export Java keys and its Ed25519 verifier needs Google Tink, which is not a
 * dependency; the JDK (15+) verifies Ed25519 itself.
 */
final class Ed25519Keys {

  /** DER of SubjectPublicKeyInfo before the key: SEQUENCE, AlgorithmIdentifier id-Ed25519 (RFC 8410), BIT STRING. */
  private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private static final int KEY_LENGTH = 32;

  private Ed25519Keys() {}

  /** The public key whose RFC 8032 encoding is {@code x}. */
  static PublicKey publicKey(byte[] x) throws GeneralSecurityException {
    if (x.length != KEY_LENGTH) {
      throw new GeneralSecurityException("Ed25519 key must be 32 bytes, not " + x.length);
    }
    byte[] der = new byte[SPKI_PREFIX.length + KEY_LENGTH];
    System.arraycopy(SPKI_PREFIX, 0, der, 0, SPKI_PREFIX.length);
    System.arraycopy(x, 0, der, SPKI_PREFIX.length, KEY_LENGTH);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }
}
