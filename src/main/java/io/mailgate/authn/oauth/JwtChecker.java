package io.mailgate.authn.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.PublicKey;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Validates a JWT access token locally: algorithm allow-list, signature (Nimbus) with the cached keys, claims. */
final class JwtChecker implements TokenChecker {

  private final Set<String> algorithms;
  private final Optional<String> issuer;
  private final KeySetCache keys;
  private final ClaimsChecker claims;
  private final ErrorChallenge errors;
  private final DefaultJWTProcessor<Candidates> processor = new DefaultJWTProcessor<>();

  JwtChecker(OAuthSettings settings, KeySetCache keys, ClaimsChecker claims, ErrorChallenge errors) {
    this.algorithms = settings.algorithms();
    this.issuer = settings.issuer();
    this.keys = keys;
    this.claims = claims;
    this.errors = errors;
    // The keys are chosen per token (CandidateKeys) and handed over in the security context.
    processor.setJWSKeySelector((header, context) -> context.keys());
    processor.setJWSVerifierFactory(new PublicKeyVerifierFactory());
    // Plain JWTs and RFC 9068 access tokens ("at+jwt"); claims are checked by ClaimsChecker, against our Clock.
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
        new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
    processor.setJWTClaimsSetVerifier(null);
  }

  @Override
  public CompletableFuture<TokenResult> check(String token, Optional<String> saslUser) {
    SignedJWT jwt;
    try {
      JWT parsed = JWTParser.parse(token);
      if (!(parsed instanceof SignedJWT)) {
        return done(errors.invalidToken("not a signed JWT (unsecured or encrypted)"));
      }
      jwt = (SignedJWT) parsed;
    } catch (ParseException e) {
      return done(errors.invalidToken("malformed token"));
    }
    JWSHeader header = jwt.getHeader();
    if (!algorithms.contains(header.getAlgorithm().getName())) {
      return done(errors.invalidToken("algorithm " + header.getAlgorithm() + " not allowed"));
    }
    return keys.current().thenCompose(snapshot -> {
      if (!CandidateKeys.select(header, snapshot.keys()).isEmpty()) {
        return done(verify(jwt, snapshot, saslUser));
      }
      // An unknown kid: perhaps the identity provider rotated keys since the last fetch.
      return keys.refreshed().thenApply(fresh -> {
        Optional<String> fetchFailure = keys.lastFetchFailure();
        if (CandidateKeys.select(header, fresh.keys()).isEmpty() && fetchFailure.isPresent()) {
          // The provider could not be asked for its current keys: the token may be good, signed with a new key.
          return new TokenResult.Unavailable("no " + header.getAlgorithm() + " key"
              + (header.getKeyID() == null ? "" : " with kid " + header.getKeyID())
              + " among the keys held, and fetching them again failed: " + fetchFailure.get());
        }
        return verify(jwt, fresh, saslUser);
      });
    });
  }

  private TokenResult verify(SignedJWT jwt, KeySnapshot snapshot, Optional<String> saslUser) {
    List<PublicKey> candidates = CandidateKeys.select(jwt.getHeader(), snapshot.keys());
    if (candidates.isEmpty()) {
      return errors.invalidToken("no " + jwt.getHeader().getAlgorithm() + " key"
          + (jwt.getHeader().getKeyID() == null ? "" : " with kid " + jwt.getHeader().getKeyID()));
    }
    JWTClaimsSet verified;
    try {
      verified = processor.process(jwt, new Candidates(candidates));
    } catch (BadJOSEException | JOSEException e) {
      return errors.invalidToken("rejected: " + e.getMessage());
    }
    TokenResult result = claims.check(verified, issuer.or(snapshot::discoveredIssuer), false);
    return claims.requireUser(result, saslUser);
  }

  private static CompletableFuture<TokenResult> done(TokenResult result) {
    return CompletableFuture.completedFuture(result);
  }

  /** The keys that may have signed the token at hand. */
  private record Candidates(List<PublicKey> keys) implements SecurityContext {}
}
