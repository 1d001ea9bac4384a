package io.mailgate.authn.oauth;

import static io.mailgate.authn.oauth.TestTokens.DISCOVERY;
import static io.mailgate.authn.oauth.TestTokens.EC1;
import static io.mailgate.authn.oauth.TestTokens.ED1;
import static io.mailgate.authn.oauth.TestTokens.ISSUER;
import static io.mailgate.authn.oauth.TestTokens.JWKS;
import static io.mailgate.authn.oauth.TestTokens.NOW;
import static io.mailgate.authn.oauth.TestTokens.RSA1;
import static io.mailgate.authn.oauth.TestTokens.RSA2;
import static io.mailgate.authn.oauth.TestTokens.claims;
import static io.mailgate.authn.oauth.TestTokens.rs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TokenValidatorTest {

  private final MutableClock clock = new MutableClock(NOW);
  private final FakeFetcher fetcher = new FakeFetcher().json(JWKS, TestTokens.jwks(RSA1, EC1, ED1));

  private OAuthSettings.Builder settings() {
    return OAuthSettings.builder().jwksUri(JWKS).issuer(ISSUER).audiences("mail");
  }

  private TokenResult validate(OAuthSettings s, String token, String saslUser) {
    return new TokenValidator(s, fetcher, clock).validate(token, Optional.ofNullable(saslUser)).join();
  }

  private TokenResult validate(String token) {
    return validate(settings().build(), token, null);
  }

  private static String reason(TokenResult r) {
    assertThat(r).isInstanceOf(TokenResult.Invalid.class);
    return ((TokenResult.Invalid) r).logReason();
  }

  private static String errorJson(TokenResult r) {
    assertThat(r).isInstanceOf(TokenResult.Invalid.class);
    return new String(Base64.getDecoder().decode(((TokenResult.Invalid) r).errorJsonBase64()), StandardCharsets.UTF_8);
  }

  @Test
  void anRs256TokenIsValidAndNamesTheEmailUser() {
    TokenResult r = validate(rs256(claims().build()));

    assertThat(r).isEqualTo(new TokenResult.Valid(new TokenIdentity("alice@example.com",
        NOW.plus(Duration.ofMinutes(5)), Set.of("openid", "mail"))));
  }

  @Test
  void anEs256TokenIsValid() {
    assertThat(validate(TestTokens.es256(claims().build()))).isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void anEdDsaTokenIsValidThroughTheJdksEd25519() {
    assertThat(validate(TestTokens.edDsa(claims().build()))).isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void anEdDsaTokenWithAForgedSignatureIsInvalid() {
    String token = TestTokens.edDsa(claims().build());
    String[] parts = token.split("\\.");
    byte[] sig = new Base64URL(parts[2]).decode();
    sig[5] ^= 1;
    String forged = parts[0] + "." + parts[1] + "." + Base64URL.encode(sig);

    assertThat(reason(validate(forged))).contains("Invalid signature");
  }

  @Test
  void ps256AndRfc9068AccessTokenTypeAreAccepted() throws Exception {
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.PS256).keyID("rsa1").type(new JOSEObjectType("at+jwt"))
        .build();
    SignedJWT jwt = new SignedJWT(header, claims().build());
    jwt.sign(new RSASSASigner(RSA1));

    assertThat(validate(jwt.serialize())).isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void anUnexpectedTypeIsInvalid() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa1")
        .type(new JOSEObjectType("secevent+jwt")).build(), claims().build());
    jwt.sign(new RSASSASigner(RSA1));

    assertThat(reason(validate(jwt.serialize()))).contains("type");
  }

  @Test
  void aTokenExpiredLongerAgoThanTheSkewIsInvalid() {
    String token = rs256(claims().expirationTime(Date.from(NOW.minusSeconds(61))).build());

    assertThat(reason(validate(token))).startsWith("expired at");
    assertThat(errorJson(validate(token))).contains("\"status\":\"invalid_token\"");
  }

  @Test
  void aTokenExpiredWithinTheSkewIsStillValid() {
    String token = rs256(claims().expirationTime(Date.from(NOW.minusSeconds(59))).build());

    assertThat(validate(token)).isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void aTokenWithoutExpIsInvalid() {
    assertThat(reason(validate(rs256(claims().expirationTime(null).build())))).isEqualTo("no exp claim");
  }

  @Test
  void aTokenNotYetValidBeyondTheSkewIsInvalidAndWithinItValid() {
    String early = rs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(61))).build());
    String nearly = rs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(59))).build());

    assertThat(reason(validate(early))).startsWith("not valid before");
    assertThat(validate(nearly)).isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void aTokenFromAnotherIssuerIsInvalid() {
    assertThat(reason(validate(rs256(claims().issuer("https://evil.example").build()))))
        .isEqualTo("issuer https://evil.example is not https://idp.example");
    assertThat(reason(validate(rs256(claims().issuer(null).build())))).startsWith("issuer null");
  }

  @Test
  void aTokenForAnotherAudienceIsInvalidButAnyConfiguredAudienceSuffices() {
    assertThat(reason(validate(rs256(claims().audience("calendar").build())))).contains("audience");

    OAuthSettings two = settings().audiences("imap").build();
    assertThat(validate(two, rs256(claims().audience(List.of("calendar", "imap")).build()), null))
        .isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void withoutConfiguredIssuerAndAudiencesNeitherIsChecked() {
    OAuthSettings open = OAuthSettings.builder().jwksUri(JWKS).build();

    assertThat(validate(open, rs256(claims().issuer("x").audience("y").build()), null))
        .isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void anUnsecuredAlgNoneTokenIsInvalid() {
    String token = new PlainJWT(claims().build()).serialize();

    assertThat(reason(validate(token))).contains("not a signed JWT");
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyAsSecretIsInvalid() throws Exception {
    byte[] publicKeyAsSecret = RSA1.toRSAPublicKey().getEncoded();
    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa1").build(),
        claims().build());
    forged.sign(new MACSigner(publicKeyAsSecret));

    assertThat(reason(validate(forged.serialize()))).isEqualTo("algorithm HS256 not allowed");
  }

  @Test
  void theVerifierFactoryRefusesSecretKeysWhateverTheAllowList() {
    PublicKeyVerifierFactory factory = new PublicKeyVerifierFactory();
    JWSHeader hs = new JWSHeader(JWSAlgorithm.HS256);

    assertThatThrownBy(() -> factory.createJWSVerifier(hs,
            new SecretKeySpec(new byte[32], "HmacSHA256")))
        .hasMessageContaining("only public keys");
    assertThatThrownBy(() -> factory.createJWSVerifier(hs, RSA1.toRSAPublicKey()))
        .hasMessageContaining("HMAC");
  }

  @Test
  void anAlgorithmOutsideTheAllowListIsInvalid() {
    OAuthSettings rsaOnly = settings().algorithms("RS256").build();

    assertThat(reason(validate(rsaOnly, TestTokens.es256(claims().build()), null)))
        .isEqualTo("algorithm ES256 not allowed");
  }

  @Test
  void aTamperedPayloadIsInvalid() {
    String[] parts = rs256(claims().build()).split("\\.");
    String evil = Base64URL.encode(claims().claim("email", "mallory@example.com").build().toString()).toString();

    assertThat(reason(validate(parts[0] + "." + evil + "." + parts[2]))).contains("Invalid signature");
  }

  @Test
  void aTokenSignedByAStrangerWithAKnownKidIsInvalid() {
    String token = TestTokens.rsa(JWSAlgorithm.RS256, new RSAKey.Builder(RSA2).keyID("rsa1")
        .build(), claims().build());

    assertThat(reason(validate(token))).contains("Invalid signature");
  }

  @Test
  void garbageIsAMalformedToken() {
    assertThat(reason(validate("not-a-jwt"))).isEqualTo("malformed token");
    assertThat(reason(validate(""))).isEqualTo("empty token");
  }

  @Test
  void aTokenWithoutTheUserClaimIsInvalid() {
    assertThat(reason(validate(rs256(claims().claim("email", null).build())))).isEqualTo("no email claim");
    assertThat(reason(validate(rs256(claims().claim("email", 42).build())))).isEqualTo("no email claim");
  }

  @Test
  void theUserClaimIsConfigurable() {
    OAuthSettings s = settings().userClaim("preferred_username").build();
    TokenResult r = validate(s, rs256(claims().claim("preferred_username", "alice").build()), null);

    assertThat(((TokenResult.Valid) r).identity().user()).isEqualTo("alice");
  }

  @Test
  void aSaslUserMustEqualTheTokenUserExactly() {
    String token = rs256(claims().build());

    assertThat(validate(settings().build(), token, "alice@example.com")).isInstanceOf(TokenResult.Valid.class);
    assertThat(validate(settings().build(), token, "")).isInstanceOf(TokenResult.Valid.class);
    assertThat(reason(validate(settings().build(), token, "bob@example.com")))
        .isEqualTo("token user alice@example.com is not SASL user bob@example.com");
    assertThat(validate(settings().build(), token, "Alice@example.com")).isInstanceOf(TokenResult.Invalid.class);
  }

  @Test
  void aMissingScopeGivesTheInsufficientScopeChallenge() {
    OAuthSettings s = settings().requiredScope("imap").discoveryUri(DISCOVERY).build();
    fetcher.json(DISCOVERY, "{}");
    TokenResult r = validate(s, rs256(claims().build()), null);

    assertThat(reason(r)).isEqualTo("scope imap missing");
    assertThat(errorJson(r)).isEqualTo("{\"status\":\"insufficient_scope\",\"scope\":\"imap\","
        + "\"openid-configuration\":\"https://idp.example/.well-known/openid-configuration\"}");
  }

  @Test
  void scopesMayComeAsAnScpArrayOrString() {
    OAuthSettings s = settings().requiredScope("imap").build();

    assertThat(validate(s, rs256(claims().claim("scp", List.of("imap", "smtp")).build()), null))
        .isInstanceOf(TokenResult.Valid.class);
    assertThat(validate(s, rs256(claims().claim("scope", null).claim("scp", "imap").build()), null))
        .isInstanceOf(TokenResult.Valid.class);
  }

  @Test
  void theChallengeOfAnInvalidTokenNamesTheScopeWhenOneIsRequired() {
    OAuthSettings s = settings().requiredScope("imap").build();
    TokenResult r = validate(s, rs256(claims().issuer("x").build()), null);

    assertThat(errorJson(r)).isEqualTo("{\"status\":\"invalid_token\",\"scope\":\"imap\"}");
    assertThat(errorJson(validate(rs256(claims().issuer("x").build())))).isEqualTo("{\"status\":\"invalid_token\"}");
  }

  @Test
  void noReasonEverContainsTheToken() {
    String token = rs256(claims().expirationTime(Date.from(Instant.EPOCH)).build());
    String tampered = token.substring(0, token.length() - 4) + "AAAA";

    assertThat(reason(validate(token))).doesNotContain(token.split("\\.")[2]);
    assertThat(reason(validate(tampered))).doesNotContain("AAAA");
  }

}
