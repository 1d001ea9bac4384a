package io.mailgate.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads mailgate's built-in authentication and routing directives ({@code auth_users}, {@code auth_oauth_*},
 * {@code proxy_backend*}, {@code demo_*}, and the backend credentials of {@code proxy_backend_login} and
 * {@code proxy_backend_master}) and merges them from {@code mail} into {@code server}. Files are only named
 * here (resolved against the main file's folder) and loaded at start-up; host names resolve now, at load time.
 */
final class BuiltinAuthDirectives {

  /** Asymmetric algorithms only: HS* would let anyone holding the public key forge tokens, and "none" signs nothing. */
  static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA");
  private static final List<String> KNOWN_ALGORITHMS = List.of(
      "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519");

  /** Every directive this class reads, for the directive table. */
  static final List<String> SINGLE = List.of("auth_users", "auth_oauth_jwks", "auth_oauth_discovery",
      "auth_oauth_issuer", "auth_oauth_scope", "auth_oauth_user_claim", "auth_oauth_clock_skew", "proxy_backend",
      "proxy_backend_map", "demo_mail_store", "demo_token_issuer", "proxy_backend_login");
  /** Directives taking several words. */
  static final List<String> LISTS = List.of("auth_oauth_audience", "auth_oauth_algorithms");
  /** Dovecot's default {@code auth_master_user_separator}: {@code user*master} is user, with master's password. */
  static final String MASTER_SEPARATOR = "*";

  private final Path confDir;

  BuiltinAuthDirectives(Path confDir) {
    this.confDir = confDir;
  }

  /** Applies {@code d} when it is one of these directives; false otherwise. */
  boolean apply(Directive d, BuiltinAuthSettings s) throws ConfigException {
    switch (d.name()) {
      case "auth_users":
        s.usersFile = file(d, d.arg(0));
        return true;
      case "auth_oauth_jwks":
        if (isHttpUrl(d.arg(0))) {
          s.jwksUri = uri(d, d.arg(0));
        } else {
          s.jwksFile = file(d, d.arg(0));
        }
        return true;
      case "auth_oauth_discovery":
        s.discovery = uri(d, d.arg(0));
        return true;
      case "auth_oauth_issuer":
        s.issuer = d.arg(0);
        return true;
      case "auth_oauth_audience":
        s.audiences = d.args();
        return true;
      case "auth_oauth_algorithms":
        for (String alg : d.args()) {
          if (!KNOWN_ALGORITHMS.contains(alg)) {
            throw Values.invalid(d, alg);
          }
        }
        s.algorithms = d.args();
        return true;
      case "auth_oauth_scope":
        s.scope = d.arg(0);
        return true;
      case "auth_oauth_user_claim":
        s.userClaim = d.arg(0);
        return true;
      case "auth_oauth_clock_skew":
        s.clockSkew = Values.time(d);
        return true;
      case "auth_oauth_introspection":
        s.introspection = new BuiltinAuthConfig.Introspection(uri(d, d.arg(0)), d.arg(1), file(d, d.arg(2)));
        return true;
      case "proxy_backend":
        s.backend = hostPort(d, d.arg(0));
        return true;
      case "proxy_backend_map":
        s.backendMap = file(d, d.arg(0));
        return true;
      case "demo_mail_store":
        s.demoMailStore = hostPort(d, d.arg(0));
        return true;
      case "demo_token_issuer":
        s.demoTokenIssuer = file(d, d.arg(0));
        return true;
      case "proxy_backend_login":
        s.backendLogin = backendLoginMode(d);
        return true;
      case "proxy_backend_master":
        if (d.arg(0).isEmpty() || d.arg(0).contains(MASTER_SEPARATOR)) {
          // A master user containing the separator would make the backend split the login somewhere else.
          throw Values.invalid(d, d.arg(0));
        }
        s.masterUser = d.arg(0);
        s.masterPasswordFile = file(d, d.arg(1));
        return true;
      default:
        return false;
    }
  }

  /** The server's merged settings: each directive inherited from {@code mail} unless the server sets it. */
  static BuiltinAuthConfig merge(BuiltinAuthSettings own, BuiltinAuthSettings mail) {
    Optional<BuiltinAuthConfig.OAuth> oauth = Optional.empty();
    if (own.anyOAuth() || mail.anyOAuth()) {
      oauth = Optional.of(new BuiltinAuthConfig.OAuth(
          Optional.ofNullable(pick(own.jwksUri, mail.jwksUri)),
          Optional.ofNullable(pick(own.jwksFile, mail.jwksFile)),
          Optional.ofNullable(pick(own.discovery, mail.discovery)),
          Optional.ofNullable(pick(own.issuer, mail.issuer)),
          orDefault(pick(own.audiences, mail.audiences), List.of()),
          orDefault(pick(own.algorithms, mail.algorithms), DEFAULT_ALGORITHMS),
          Optional.ofNullable(pick(own.scope, mail.scope)),
          orDefault(pick(own.userClaim, mail.userClaim), "email"),
          orDefault(pick(own.clockSkew, mail.clockSkew), Duration.ofSeconds(60)),
          Optional.ofNullable(pick(own.introspection, mail.introspection))));
    }
    return new BuiltinAuthConfig(
        Optional.ofNullable(pick(own.usersFile, mail.usersFile)),
        oauth,
        Optional.ofNullable(pick(own.backend, mail.backend)),
        Optional.ofNullable(pick(own.backendMap, mail.backendMap)),
        Optional.ofNullable(pick(own.demoMailStore, mail.demoMailStore)),
        Optional.ofNullable(pick(own.demoTokenIssuer, mail.demoTokenIssuer)),
        backendCredentials(own, mail));
  }

  /** {@code proxy_backend_login} and {@code proxy_backend_master}, each inherited on its own. */
  private static BuiltinAuthConfig.BackendCredentials backendCredentials(BuiltinAuthSettings own,
      BuiltinAuthSettings mail) {
    BuiltinAuthConfig.BackendCredentials.Mode mode = orDefault(pick(own.backendLogin, mail.backendLogin),
        BuiltinAuthConfig.BackendCredentials.Mode.CLIENT);
    boolean ownMaster = own.masterUser != null;
    return new BuiltinAuthConfig.BackendCredentials(mode,
        Optional.ofNullable(ownMaster ? own.masterUser : mail.masterUser),
        Optional.ofNullable(ownMaster ? own.masterPasswordFile : mail.masterPasswordFile));
  }

  /** Whether {@code proxy_backend_login master} applies without a {@code proxy_backend_master} to log in as. */
  static boolean lacksMasterUser(BuiltinAuthConfig.BackendCredentials credentials) {
    return credentials.mode() == BuiltinAuthConfig.BackendCredentials.Mode.MASTER
        && credentials.masterUser().isEmpty();
  }

  private static BuiltinAuthConfig.BackendCredentials.Mode backendLoginMode(Directive d) throws ConfigException {
    switch (d.arg(0)) {
      case "client":
        return BuiltinAuthConfig.BackendCredentials.Mode.CLIENT;
      case "master":
        return BuiltinAuthConfig.BackendCredentials.Mode.MASTER;
      case "token":
        return BuiltinAuthConfig.BackendCredentials.Mode.TOKEN;
      default:
        throw Values.invalid(d, d.arg(0));
    }
  }

  /** Whether an OAuth setting needs keys and has none: the validator could never accept a token. */
  static boolean lacksKeySource(BuiltinAuthConfig.OAuth oauth, boolean demoIssuer) {
    return oauth.jwksUri().isEmpty() && oauth.jwksFile().isEmpty() && oauth.discovery().isEmpty()
        && oauth.introspection().isEmpty() && !demoIssuer;
  }

  private Path file(Directive d, String name) throws ConfigException {
    return Values.path(d, confDir, name).normalize();
  }

  private static boolean isHttpUrl(String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    return lower.startsWith("http://") || lower.startsWith("https://");
  }

  private static URI uri(Directive d, String value) throws ConfigException {
    if (!isHttpUrl(value)) {
      throw d.error("invalid URL \"" + value + "\"");
    }
    try {
      URI uri = new URI(value);
      if (uri.getHost() == null) {
        throw d.error("invalid URL \"" + value + "\"");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw d.error("invalid URL \"" + value + "\"");
    }
  }

  /** {@code host:port} or {@code [v6]:port}; the host is resolved now (start-up), first address, as nginx does. */
  private static InetSocketAddress hostPort(Directive d, String value) throws ConfigException {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw d.error("no port in \"" + value + "\"");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String portText = value.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw d.error("invalid port in \"" + value + "\"");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw d.error("host not found in \"" + value + "\"");
    }
  }

  private static <T> T pick(T own, T inherited) {
    return own != null ? own : inherited;
  }

  private static <T> T orDefault(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
