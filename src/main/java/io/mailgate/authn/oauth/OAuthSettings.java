package io.mailgate.authn.oauth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How bearer tokens (OAUTHBEARER, XOAUTH2) are checked.
 *
 * <p>Two modes. With {@code introspection} present, every token is asked about at the RFC 7662 endpoint; otherwise
 * tokens are JWTs checked locally against keys from {@code jwksFile}, {@code jwksUri} or, when neither is set, the
 * {@code jwks_uri} of the OpenID Connect discovery document at {@code discoveryUri}. The discovery URI, when set, is
 * also advertised as {@code openid-configuration} in the RFC 7628 error challenge, in either mode.
 *
 * @param jwksUri where the JSON Web Key Set is fetched from
 * @param discoveryUri the OpenID Connect discovery document ({@code .../.well-known/openid-configuration})
 * @param jwksFile a local JSON Web Key Set (e.g. a demo issuer's)
 * @param issuer the required {@code iss}; when absent and keys come from discovery, the document's {@code issuer}
 * @param audiences accepted {@code aud} values (any one suffices); empty: {@code aud} is not checked
 * @param algorithms accepted JWS algorithms; asymmetric only: {@code none} and HMAC are refused because a JWKS holds
 *     public keys, and an HMAC "signed" with a public key is forgeable by anyone
 * @param requiredScope a scope the token must carry ({@code scope} or {@code scp})
 * @param userClaim the claim naming the mail user
 * @param clockSkew tolerance for {@code exp} and {@code nbf}
 * @param introspection the RFC 7662 endpoint and client credentials, for opaque tokens
 * @param keyRefreshMinInterval the least time between two key set fetches (a token with an unknown {@code kid} must
 *     not let clients hammer the identity provider)
 * @param fetchTimeout bound on each HTTP fetch
 * @param cacheMaxEntries bound on the introspection result cache
 */
public record OAuthSettings(
    Optional<URI> jwksUri,
    Optional<URI> discoveryUri,
    Optional<Path> jwksFile,
    Optional<String> issuer,
    List<String> audiences,
    Set<String> algorithms,
    Optional<String> requiredScope,
    String userClaim,
    Duration clockSkew,
    Optional<Introspection> introspection,
    Duration keyRefreshMinInterval,
    Duration fetchTimeout,
    int cacheMaxEntries) {

  /** The algorithms accepted when none are configured. */
  public static final Set<String> DEFAULT_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA");

  /** Every algorithm that can be allowed: RSA, RSA-PSS, ECDSA and Ed25519 signatures. */
  public static final Set<String> SUPPORTED_ALGORITHMS = Set.of(
      "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519");

  /** Checks the combination and copies the collections. */
  public OAuthSettings {
    audiences = List.copyOf(audiences);
    algorithms = Set.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("oauth: no signature algorithm allowed");
    }
    for (String alg : algorithms) {
      if (alg.equalsIgnoreCase("none") || alg.toUpperCase(Locale.ROOT).startsWith("HS")) {
        throw new IllegalArgumentException("oauth: algorithm " + alg + " is never accepted (unsigned or symmetric)");
      }
      if (!SUPPORTED_ALGORITHMS.contains(alg)) {
        throw new IllegalArgumentException("oauth: unsupported algorithm " + alg);
      }
    }
    if (userClaim.isBlank()) {
      throw new IllegalArgumentException("oauth: empty user claim");
    }
    if (clockSkew.isNegative() || keyRefreshMinInterval.isNegative()) {
      throw new IllegalArgumentException("oauth: negative clock skew or key refresh interval");
    }
    if (fetchTimeout.isZero() || fetchTimeout.isNegative()) {
      throw new IllegalArgumentException("oauth: fetch timeout must be positive");
    }
    if (cacheMaxEntries < 1) {
      throw new IllegalArgumentException("oauth: cache size must be at least 1");
    }
    jwksUri.ifPresent(u -> requireHttp(u, "jwks uri"));
    discoveryUri.ifPresent(u -> requireHttp(u, "discovery uri"));
    introspection.ifPresent(i -> requireHttp(i.endpoint(), "introspection endpoint"));
    if (jwksUri.isPresent() && jwksFile.isPresent()) {
      throw new IllegalArgumentException("oauth: both a jwks uri and a jwks file");
    }
    if (introspection.isPresent() && (jwksUri.isPresent() || jwksFile.isPresent())) {
      throw new IllegalArgumentException("oauth: introspection and a jwks source are exclusive");
    }
    if (introspection.isEmpty() && jwksUri.isEmpty() && jwksFile.isEmpty() && discoveryUri.isEmpty()) {
      throw new IllegalArgumentException("oauth: no key source (jwks uri, jwks file, discovery) and no introspection");
    }
  }

  /** A builder with the defaults: algorithms {@link #DEFAULT_ALGORITHMS}, claim {@code email}, skew 60 s, etc. */
  public static Builder builder() {
    return new Builder();
  }

  /** True when tokens are checked at an RFC 7662 endpoint rather than locally. */
  public boolean usesIntrospection() {
    return introspection.isPresent();
  }

  private static void requireHttp(URI uri, String what) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("oauth: " + what + " must be an http(s) URL: " + uri);
    }
  }

  /**
   * An RFC 7662 token introspection endpoint and the client credentials sent to it with HTTP Basic (section 2.1).
   *
   * @param endpoint the introspection URL
   * @param clientId the resource server's client id
   * @param clientSecret its secret; never printed
   */
  public record Introspection(URI endpoint, String clientId, String clientSecret) {

    /** Never prints the secret. */
    @Override
    public String toString() {
      return "Introspection[endpoint=" + endpoint + ", clientId=" + clientId + ", clientSecret=******]";
    }
  }

  /** Builds {@link OAuthSettings} (for tests and the config binder). */
  public static final class Builder {
    private URI jwksUri;
    private URI discoveryUri;
    private Path jwksFile;
    private String issuer;
    private final List<String> audiences = new ArrayList<>();
    private Set<String> algorithms = DEFAULT_ALGORITHMS;
    private String requiredScope;
    private String userClaim = "email";
    private Duration clockSkew = Duration.ofSeconds(60);
    private Introspection introspection;
    private Duration keyRefreshMinInterval = Duration.ofSeconds(30);
    private Duration fetchTimeout = Duration.ofSeconds(5);
    private int cacheMaxEntries = 10_000;

    private Builder() {}

    /** Keys from this JWKS URL. */
    public Builder jwksUri(URI uri) {
      this.jwksUri = uri;
      return this;
    }

    /** The OpenID Connect discovery document. */
    public Builder discoveryUri(URI uri) {
      this.discoveryUri = uri;
      return this;
    }

    /** Keys from this local JWKS file. */
    public Builder jwksFile(Path file) {
      this.jwksFile = file;
      return this;
    }

    /** The required {@code iss}. */
    public Builder issuer(String issuer) {
      this.issuer = issuer;
      return this;
    }

    /** Adds accepted {@code aud} values. */
    public Builder audiences(String... values) {
      audiences.addAll(Arrays.asList(values));
      return this;
    }

    /** Replaces the accepted algorithms. */
    public Builder algorithms(String... names) {
      this.algorithms = new LinkedHashSet<>(Arrays.asList(names));
      return this;
    }

    /** A scope every token must carry. */
    public Builder requiredScope(String scope) {
      this.requiredScope = scope;
      return this;
    }

    /** The claim naming the mail user. */
    public Builder userClaim(String claim) {
      this.userClaim = claim;
      return this;
    }

    /** Tolerance for {@code exp} and {@code nbf}. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = skew;
      return this;
    }

    /** Check tokens at this RFC 7662 endpoint. */
    public Builder introspection(URI endpoint, String clientId, String clientSecret) {
      this.introspection = new Introspection(endpoint, clientId, clientSecret);
      return this;
    }

    /** The least time between two key set fetches. */
    public Builder keyRefreshMinInterval(Duration interval) {
      this.keyRefreshMinInterval = interval;
      return this;
    }

    /** Bound on each HTTP fetch. */
    public Builder fetchTimeout(Duration timeout) {
      this.fetchTimeout = timeout;
      return this;
    }

    /** Bound on the introspection cache. */
    public Builder cacheMaxEntries(int entries) {
      this.cacheMaxEntries = entries;
      return this;
    }

    /** The checked settings; throws {@link IllegalArgumentException} on a bad combination. */
    public OAuthSettings build() {
      return new OAuthSettings(Optional.ofNullable(jwksUri), Optional.ofNullable(discoveryUri),
          Optional.ofNullable(jwksFile), Optional.ofNullable(issuer), audiences, algorithms,
          Optional.ofNullable(requiredScope), userClaim, clockSkew, Optional.ofNullable(introspection),
          keyRefreshMinInterval, fetchTimeout, cacheMaxEntries);
    }
  }
}
