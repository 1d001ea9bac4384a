package io.mailgate.app;

import io.mailgate.auth.AuthClient;
import io.mailgate.auth.HttpAuthClient;
import io.mailgate.authn.BackendAccount;
import io.mailgate.authn.MechanismRouter;
import io.mailgate.authn.oauth.BearerTokenAuthClient;
import io.mailgate.authn.oauth.HttpFetcher;
import io.mailgate.authn.oauth.OAuthSettings;
import io.mailgate.authn.oauth.TokenValidator;
import io.mailgate.authn.routing.BackendMap;
import io.mailgate.authn.routing.BackendRouter;
import io.mailgate.authn.routing.ReloadingFile;
import io.mailgate.authn.users.UsersDirectory;
import io.mailgate.authn.users.UsersFileAuthClient;
import io.mailgate.config.BuiltinAuthConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.demo.DemoTokenIssuer;
import io.mailgate.tls.TlsSetupException;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * Builds each server's authenticator chain ({@link MechanismRouter}): the token validator, the users file and
 * {@code auth_http}, with routing, for one configuration (a reload builds a new one). Password hashing runs on the
 * shared bounded pool it is given: hashing is slow by design and never runs on an event loop. Files are read here,
 * when the configuration is loaded, never per connection.
 */
final class Authenticators implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Authenticators.class);

  private final Transport transport;
  private final ConnectionGate gate;
  private final DemoServices demo;
  private final ExecutorService hashing;
  private final Supplier<HttpFetcher> fetcher;
  private final List<AuthClient> built = new ArrayList<>();

  /**
   * @param hashing the pool password hashing and file reloads run on (shared by every configuration)
   * @param fetcher the HTTP client for identity providers, made on first need (shared by every configuration)
   */
  Authenticators(Transport transport, ConnectionGate gate, DemoServices demo, ExecutorService hashing,
      Supplier<HttpFetcher> fetcher) {
    this.transport = transport;
    this.gate = gate;
    this.demo = demo;
    this.hashing = hashing;
    this.fetcher = fetcher;
  }

  /**
   * The pool password hashing runs on: a few threads, and a full queue refuses work (the client gets a temporary
   * failure) rather than queueing logins without bound.
   */
  static ExecutorService newHashingPool() {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024),
        new DefaultThreadFactory("mailgate-auth", true), new ThreadPoolExecutor.AbortPolicy());
  }

  /** The server's authenticator. */
  AuthClient forServer(ServerConfig server) throws Mailgate.StartupException {
    BuiltinAuthConfig builtIn = server.builtinAuth();
    try {
      Optional<InetSocketAddress> fixed = builtIn.backend().or(() -> demo.storeFor(server));
      BackendRouter router = router(fixed, builtIn.backendMap());
      Optional<AuthClient> passwords = Optional.empty();
      if (builtIn.usersFile().isPresent()) {
        UsersDirectory users = new UsersDirectory(builtIn.usersFile().get(), hashing, Clock.systemUTC());
        passwords = Optional.of(new UsersFileAuthClient(users, router, hashing));
      }
      Optional<AuthClient> tokens = Optional.empty();
      Optional<OAuthSettings> oauth = oauthSettings(builtIn);
      if (oauth.isPresent()) {
        TokenValidator validator = new TokenValidator(oauth.get(), fetcher.get(), Clock.systemUTC());
        tokens = Optional.of(new BearerTokenAuthClient(validator, user -> router.route(user, Optional.empty())));
      }
      Optional<AuthClient> http = Optional.empty();
      if (server.authHttp().isPresent()) {
        HttpAuthClient client = new HttpAuthClient(server.authHttp().get(), transport, gate, server.resolver());
        client.warnings().forEach(w -> LOG.warn("{} in {}:{}", w, server.file(), server.line()));
        http = Optional.of(client);
      }
      AuthClient chain = new MechanismRouter(tokens, passwords, http);
      Optional<byte[]> storeSecret = demo.secretFor(server);
      if (storeSecret.isPresent()) {
        chain = BackendAccount.sharedSecret(chain, storeSecret.get());
      }
      BuiltinAuthConfig.BackendCredentials backendLogin = builtIn.backendCredentials();
      if (backendLogin.mode() == BuiltinAuthConfig.BackendCredentials.Mode.MASTER) {
        byte[] masterPassword = firstLine(backendLogin.masterPasswordFile().orElseThrow(), "master password");
        chain = BackendAccount.masterUser(chain, backendLogin.masterUser().orElseThrow(), masterPassword);
        Arrays.fill(masterPassword, (byte) 0);
      }
      built.add(chain);
      return chain;
    } catch (IOException | IllegalArgumentException | TlsSetupException e) {
      // Unreadable users, map or secret files, OAuth settings the validator refuses (e.g. two key sources), and an
      // https auth service's trust store or client certificate that cannot be loaded.
      throw new Mailgate.StartupException(e.getMessage() + " in " + server.file() + ":" + server.line());
    }
  }

  /**
   * The first line of a secret file, read once at start-up, without its line end; the secret itself never appears in
   * a message.
   */
  private static byte[] firstLine(Path file, String what) throws IOException {
    byte[] content = Files.readAllBytes(file);
    try {
      int end = 0;
      while (end < content.length && content[end] != '\n' && content[end] != '\r') {
        end++;
      }
      if (end == 0) {
        throw new IOException("the " + what + " file \"" + file + "\" is empty");
      }
      return Arrays.copyOf(content, end);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /** Routing: the fixed backend, and a backend map that reloads when it changes (and is read anew on HUP). */
  private BackendRouter router(Optional<InetSocketAddress> fixed, Optional<java.nio.file.Path> mapFile)
      throws IOException {
    if (mapFile.isEmpty()) {
      return new BackendRouter(fixed, Optional.empty());
    }
    ReloadingFile<BackendMap> map =
        ReloadingFile.open(mapFile.get(), BackendMap::load, hashing, Clock.systemUTC(), "backend map");
    return BackendRouter.reloading(fixed, map);
  }

  /** The validator's settings: the {@code auth_oauth_*} directives, or the demo issuer's key set. */
  private Optional<OAuthSettings> oauthSettings(BuiltinAuthConfig builtIn) throws IOException {
    if (builtIn.oauth().isPresent()) {
      BuiltinAuthConfig.OAuth o = builtIn.oauth().get();
      OAuthSettings.Builder b = OAuthSettings.builder()
          .userClaim(o.userClaim())
          .clockSkew(o.clockSkew())
          .algorithms(o.algorithms().toArray(String[]::new))
          .audiences(o.audiences().toArray(String[]::new));
      o.jwksUri().ifPresent(b::jwksUri);
      if (o.jwksFile().isPresent()) {
        checkKeySetFile(o.jwksFile().get());
        b.jwksFile(o.jwksFile().get());
      }
      o.discovery().ifPresent(b::discoveryUri);
      o.issuer().ifPresent(b::issuer);
      o.scope().ifPresent(b::requiredScope);
      if (o.introspection().isPresent()) {
        BuiltinAuthConfig.Introspection i = o.introspection().get();
        // The client secret lives in its own file, read once here; the first line is the secret.
        String secret = Files.readAllLines(i.secretFile(), StandardCharsets.UTF_8).stream().findFirst().orElse("");
        b.introspection(i.endpoint(), i.clientId(), secret.trim());
      }
      if (builtIn.demoTokenIssuer().isPresent() && o.jwksFile().isEmpty() && o.jwksUri().isEmpty()
          && o.discovery().isEmpty() && o.introspection().isEmpty()) {
        b.jwksFile(demo.issuer(builtIn.demoTokenIssuer().get()).jwksFile());
      }
      return Optional.of(b.build());
    }
    if (builtIn.demoTokenIssuer().isPresent()) {
      DemoTokenIssuer issuer = demo.issuer(builtIn.demoTokenIssuer().get());
      return Optional.of(OAuthSettings.builder()
          .jwksFile(issuer.jwksFile())
          .issuer(issuer.issuer())
          .audiences(DemoTokenIssuer.AUDIENCE)
          .build());
    }
    return Optional.empty();
  }

  /**
   * A JWKS file must hold a key set when the configuration is loaded, so that a reload with a broken one keeps the
   * previous configuration instead of failing every token login later. Tokens are checked against the file as it is
   * when they arrive (it is read again when a token names an unknown key).
   */
  private static void checkKeySetFile(Path file) throws IOException {
    try {
      JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (java.text.ParseException e) {
      throw new IOException("auth_oauth_jwks " + file + ": " + e.getMessage());
    }
  }

  /** Closes every authenticator built (pooled auth_http connections); the shared pools stay. */
  @Override
  public void close() {
    built.forEach(AuthClient::close);
  }
}
