package io.mailgate.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.UUID;

/**
 * Mints a JWT access token signed by an {@link IdpKey}, with Nimbus. By default a good token: {@code iss} the
 * identity provider's issuer, {@code aud} {@code mail}, {@code nbf} a minute ago, {@code exp} in ten minutes,
 * {@code scope} {@code mail.read}, {@code email} as given. The options spoil one part at a time.
 */
public final class IdpToken {

  /** The audience mailgate is configured to accept in the integration tests. */
  public static final String AUDIENCE = "mail";
  /** The scope mailgate requires in the integration tests. */
  public static final String SCOPE = "mail.read";

  private final IdpKey key;
  private String issuer;
  private String audience = AUDIENCE;
  private String scope = SCOPE;
  private String email;
  private Instant notBefore = Instant.now().minusSeconds(60);
  private Instant expires = Instant.now().plus(Duration.ofMinutes(10));
  private String kid;

  IdpToken(IdpKey key, String issuer) {
    this.key = Objects.requireNonNull(key);
    this.issuer = issuer;
    this.kid = key.kid();
  }

  /** The {@code email} claim (the mail user mailgate maps the token to). */
  public IdpToken email(String value) {
    this.email = value;
    return this;
  }

  /** The {@code scope} claim (space-separated); null leaves it out. */
  public IdpToken scope(String value) {
    this.scope = value;
    return this;
  }

  /** Expired an hour ago, far beyond any clock skew allowance. */
  public IdpToken expired() {
    this.notBefore = Instant.now().minus(Duration.ofHours(2));
    this.expires = Instant.now().minus(Duration.ofHours(1));
    return this;
  }

  /** Not valid before an hour from now. */
  public IdpToken notYetValid() {
    this.notBefore = Instant.now().plus(Duration.ofHours(1));
    return this;
  }

  /** An {@code aud} mailgate does not accept. */
  public IdpToken wrongAudience() {
    this.audience = "calendar";
    return this;
  }

  /** An {@code iss} other than the identity provider's. */
  public IdpToken wrongIssuer() {
    this.issuer = "http://127.0.0.1:1/not-the-issuer";
    return this;
  }

  /** A {@code kid} header naming no published key (the signature is still made with the real key). */
  public IdpToken unknownKid() {
    this.kid = "no-such-kid";
    return this;
  }

  /** The signed, compact-serialized token. */
  public String sign() {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(audience)
        .notBeforeTime(Date.from(notBefore))
        .issueTime(Date.from(notBefore))
        .expirationTime(Date.from(expires))
        .subject(email == null ? "nobody" : email)
        // A fresh jti makes every token unique, so tests can tell which login a backend line belongs to.
        .jwtID(UUID.randomUUID().toString());
    if (email != null) {
      claims.claim("email", email);
    }
    if (scope != null) {
      claims.claim("scope", scope);
    }
    JWSHeader header = new JWSHeader.Builder(key.algorithm()).keyID(kid).type(JOSEObjectType.JWT).build();
    SignedJWT jwt = new SignedJWT(header, claims.build());
    try {
      jwt.sign(key.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }
}
