package io.mailgate.authn.oauth;

import static io.mailgate.authn.oauth.TestTokens.RSA1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.testkit.LogCapture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** End to end over real HTTP: a local identity provider serving discovery, JWKS and introspection. */
class JdkHttpFetcherTest {

  private static HttpServer server;
  private static ExecutorService serverThreads;
  private static String base;
  private static final List<String> introspectAuth = new CopyOnWriteArrayList<>();
  private static final List<String> introspectBodies = new CopyOnWriteArrayList<>();

  private final HttpFetcher fetcher = HttpFetcher.jdk();

  @BeforeAll
  static void startIdentityProvider() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/.well-known/openid-configuration", ex -> reply(ex, 200,
        "{\"issuer\":\"" + base + "\",\"jwks_uri\":\"" + base + "/jwks\"}"));
    server.createContext("/jwks", ex -> reply(ex, 200, TestTokens.jwks(RSA1)));
    server.createContext("/introspect", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      introspectAuth.add(ex.getRequestHeaders().getFirst("Authorization"));
      introspectBodies.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " " + body);
      boolean good = body.contains("token=good-token");
      reply(ex, 200, good ? "{\"active\":true,\"username\":\"dave\",\"exp\":4102444800}" : "{\"active\":false}");
    });
    server.createContext("/slow", ex -> {
      try {
        Thread.sleep(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reply(ex, 200, "{}");
    });
    server.createContext("/huge", ex -> reply(ex, 200, "x".repeat(JdkHttpFetcher.MAX_BODY_BYTES + 1)));
    server.start();
  }

  @AfterAll
  static void stopIdentityProvider() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static JWTClaimsSet claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(base).audience("mail").expirationTime(Date.from(now.plusSeconds(300)))
        .claim("email", "alice@example.com").build();
  }

  @Test
  void aJwtIsValidatedWithKeysFoundThroughDiscovery() {
    URI discovery = URI.create(base + "/.well-known/openid-configuration");
    TokenValidator v = new TokenValidator(OAuthSettings.builder().discoveryUri(discovery).audiences("mail").build(),
        fetcher, Clock.systemUTC());

    TokenResult good = v.validate(TestTokens.rs256(claims()), Optional.of("alice@example.com")).join();
    TokenResult bad = v.validate(TestTokens.rs256(claims()), Optional.of("eve@example.com")).join();

    assertThat(good).isInstanceOf(TokenResult.Valid.class);
    assertThat(new String(Base64.getDecoder().decode(((TokenResult.Invalid) bad).errorJsonBase64()),
        StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"invalid_token\",\"openid-configuration\":\"" + discovery
        + "\"}");
  }

  @Test
  void introspectionPostsTheTokenWithFormEncodedBasicCredentials() {
    TokenValidator v = new TokenValidator(OAuthSettings.builder()
        .introspection(URI.create(base + "/introspect"), "mail gate", "p@ss:word").build(), fetcher,
        Clock.systemUTC());

    TokenResult good = v.validate("good-token", Optional.empty()).join();
    TokenResult bad = v.validate("other-token", Optional.empty()).join();

    assertThat(good).isEqualTo(new TokenResult.Valid(new TokenIdentity("dave",
        Instant.ofEpochSecond(4102444800L), Set.of())));
    assertThat(bad).isInstanceOf(TokenResult.Invalid.class);
    assertThat(introspectBodies).contains(
        "POST application/x-www-form-urlencoded token=good-token&token_type_hint=access_token",
        "POST application/x-www-form-urlencoded token=other-token&token_type_hint=access_token");
    assertThat(introspectAuth).extracting(h -> new String(Base64.getDecoder().decode(h.substring("Basic ".length())),
        StandardCharsets.UTF_8)).contains("mail+gate:p%40ss%3Aword");
  }

  @Test
  void aSlowProviderIsATemporaryFailureAndNeverBlocksTheCaller() {
    TokenValidator v = new TokenValidator(OAuthSettings.builder().jwksUri(URI.create(base + "/slow"))
        .fetchTimeout(Duration.ofMillis(300)).build(), fetcher, Clock.systemUTC());

    String token = TestTokens.rs256(claims());
    long start = System.nanoTime();
    CompletableFuture<TokenResult> pending = v.validate(token, Optional.empty());
    long callMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    TokenResult r = pending.orTimeout(5, TimeUnit.SECONDS).join();

    // The provider answers after 3 s: returning well before that proves the call did not wait for it.
    assertThat(callMillis).isLessThan(1000);
    assertThat(r).isInstanceOf(TokenResult.Unavailable.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2500);
  }

  @Test
  void anUnreachableProviderIsATemporaryFailure() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    TokenValidator v = new TokenValidator(OAuthSettings.builder()
        .jwksUri(URI.create("http://127.0.0.1:" + closedPort + "/jwks")).build(), fetcher, Clock.systemUTC());

    assertThat(v.validate(TestTokens.rs256(claims()), Optional.empty()).orTimeout(5, TimeUnit.SECONDS).join())
        .isInstanceOf(TokenResult.Unavailable.class);
  }

  @Test
  void anOversizedBodyIsRefused() {
    assertThatThrownBy(() -> fetcher.get(URI.create(base + "/huge"), Duration.ofSeconds(5)).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("larger than");
  }

  @Test
  void theFetcherReportsStatusAndBody() {
    HttpFetcher.HttpResponse r = fetcher.get(URI.create(base + "/jwks"), Duration.ofSeconds(5)).join();
    HttpFetcher.HttpResponse missing = fetcher.get(URI.create(base + "/nothing"), Duration.ofSeconds(5)).join();

    assertThat(r.status()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"kid\":\"rsa1\"");
    assertThat(missing.status()).isEqualTo(404);
  }

  @Test
  void tokensAndSecretsNeverReachTheLog() {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      TokenValidator introspecting = new TokenValidator(OAuthSettings.builder()
          .introspection(URI.create(base + "/introspect"), "mailgate", "topsecret-42").build(), fetcher,
          Clock.systemUTC());
      AuthRequest request = new AuthRequest(Credentials.of(Mechanism.OAUTHBEARER, new byte[0],
          "other-token-xyz".getBytes(StandardCharsets.UTF_8)), "imap", 1, "192.0.2.1", Optional.empty(), List.of());
      AuthResult rejected = new BearerTokenAuthClient(introspecting, u -> Optional.empty())
          .authenticate(request, group.next()).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
      String jwt = TestTokens.rs256(claims());
      TokenValidator local = new TokenValidator(OAuthSettings.builder().jwksUri(URI.create(base + "/jwks"))
          .issuer("https://nope.example").build(), fetcher, Clock.systemUTC());
      local.validate(jwt, Optional.empty()).join();

      assertThat(rejected).isInstanceOf(AuthResult.Rejected.class);
      assertThat(log.text()).contains("oauth token rejected").contains("token not active")
          .contains("oauth keys loaded").doesNotContain("other-token-xyz").doesNotContain("topsecret-42")
          .doesNotContain(jwt.split("\\.")[2]);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
