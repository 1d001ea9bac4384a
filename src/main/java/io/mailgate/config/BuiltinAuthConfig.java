package io.mailgate.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * mailgate's own authenticators and routing (no nginx equivalent), per {@code server}, inherited from {@code mail}.
 * Each mechanism goes to the first authenticator that can check it: OAUTHBEARER/XOAUTH2 to the token validator,
 * PLAIN/LOGIN (and the LOGIN and USER/PASS commands) to the users file, anything else to {@code auth_http}.
 *
 * @param usersFile {@code auth_users FILE}: user, password hash (bcrypt, SHA-512-crypt, Argon2id), optional backend
 * @param oauth the {@code auth_oauth_*} directives, when any is set
 * @param backend {@code proxy_backend HOST:PORT}: the fixed backend of this server
 * @param backendMap {@code proxy_backend_map FILE}: user or @domain to backend
 * @param demoMailStore {@code demo_mail_store ADDRESS}: start the embedded demo mail store there (demo only)
 * @param demoTokenIssuer {@code demo_token_issuer DIR}: the demo issuer's key pair lives there (made at first start);
 *     its tokens are accepted unless {@code auth_oauth_*} names another issuer
 * @param backendCredentials {@code proxy_backend_login} and {@code proxy_backend_master}: what the backend login
 *     authenticates with
 */
public record BuiltinAuthConfig(
    Optional<Path> usersFile,
    Optional<OAuth> oauth,
    Optional<InetSocketAddress> backend,
    Optional<Path> backendMap,
    Optional<InetSocketAddress> demoMailStore,
    Optional<Path> demoTokenIssuer,
    BackendCredentials backendCredentials) {

  /** Nothing built in: every login goes to {@code auth_http}, and the backend gets the client's own credentials. */
  public static final BuiltinAuthConfig NONE = new BuiltinAuthConfig(
      Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
      BackendCredentials.CLIENT);

  /** Whether password logins are checked here. */
  public boolean checksPasswords() {
    return usersFile.isPresent();
  }

  /** Whether bearer tokens are checked here. */
  public boolean checksTokens() {
    return oauth.isPresent() || demoTokenIssuer.isPresent();
  }

  /**
   * The {@code auth_oauth_*} settings.
   *
   * @param jwksUri {@code auth_oauth_jwks https://...}
   * @param jwksFile {@code auth_oauth_jwks FILE}
   * @param discovery {@code auth_oauth_discovery URL} (OpenID Connect; gives the JWKS and the issuer)
   * @param issuer {@code auth_oauth_issuer}: the required {@code iss}
   * @param audiences {@code auth_oauth_audience}: one of them must be in {@code aud}
   * @param algorithms {@code auth_oauth_algorithms} (default RS256 RS384 RS512 PS256 ES256 ES384 EdDSA)
   * @param scope {@code auth_oauth_scope}: required scope
   * @param userClaim {@code auth_oauth_user_claim} (default {@code email})
   * @param clockSkew {@code auth_oauth_clock_skew} (default 60s)
   * @param introspection {@code auth_oauth_introspection URL CLIENT_ID SECRET_FILE} (RFC 7662)
   */
  public record OAuth(
      Optional<URI> jwksUri,
      Optional<Path> jwksFile,
      Optional<URI> discovery,
      Optional<String> issuer,
      List<String> audiences,
      List<String> algorithms,
      Optional<String> scope,
      String userClaim,
      Duration clockSkew,
      Optional<Introspection> introspection) {

    public OAuth {
      audiences = List.copyOf(audiences);
      algorithms = List.copyOf(algorithms);
    }
  }

  /**
   * RFC 7662 token introspection.
   *
   * @param endpoint the introspection URL
   * @param clientId the client id for HTTP Basic authentication
   * @param secretFile the file holding the client secret (kept out of the configuration)
   */
  public record Introspection(URI endpoint, String clientId, Path secretFile) {}

  /**
   * What the proxy logs in to the backend with.
   *
   * @param mode {@code proxy_backend_login client | master | token} (default {@code client})
   * @param masterUser {@code proxy_backend_master USER ...}: the master user, required for {@code master}
   * @param masterPasswordFile {@code proxy_backend_master ... FILE}: its first line is the master password, read at
   *     start-up (the secret itself never appears in the configuration)
   */
  public record BackendCredentials(Mode mode, Optional<String> masterUser, Optional<Path> masterPasswordFile) {

    /** The default: the client's own credentials (or {@code Auth-User}/{@code Auth-Pass}), as nginx does. */
    public static final BackendCredentials CLIENT =
        new BackendCredentials(Mode.CLIENT, Optional.empty(), Optional.empty());

    /** The {@code proxy_backend_login} values. */
    public enum Mode {
      /** The client's login and password, or the auth service's {@code Auth-User}/{@code Auth-Pass}. */
      CLIENT,
      /** Dovecot's master-user login: {@code <user>*<master user>} with the master password. */
      MASTER,
      /**
       * OAUTHBEARER/XOAUTH2 logins pass the client's bearer token on with the same mechanism; password logins go on
       * as in {@link #CLIENT}.
       */
      TOKEN
    }
  }
}
