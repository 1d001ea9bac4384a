package io.mailgate.testkit;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local OpenID Connect identity provider for integration tests, on the JDK's HTTP server at 127.0.0.1 (random
 * port): {@code /.well-known/openid-configuration} (issuer, jwks_uri, introspection_endpoint), {@code /jwks} (the
 * published keys; add and remove them to rotate) and {@code /introspect} (RFC 7662: HTTP Basic client authentication
 * checked, answers for registered opaque tokens, {@code {"active":false}} for anything else). Counts the requests of
 * each endpoint. {@link #failWith} makes every endpoint answer an HTTP error; {@link #close} takes it off the network.
 */
public final class IdpServer implements AutoCloseable {

  private static final int MAX_BODY = 64 * 1024;

  private final HttpServer http;
  private final ExecutorService pool;
  private final String issuer;
  private final Map<String, IdpKey> published = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> opaqueTokens = new ConcurrentHashMap<>();
  private final AtomicInteger discoveryFetches = new AtomicInteger();
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger introspections = new AtomicInteger();
  private final AtomicInteger refusedClients = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile String clientId = "mailgate";
  private volatile String clientSecret = "idp-client-s3cret";
  private volatile int failureStatus;

  private IdpServer() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    AtomicInteger threads = new AtomicInteger();
    pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "idp-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(pool);
    issuer = "http://127.0.0.1:" + http.getAddress().getPort();
    http.createContext("/.well-known/openid-configuration", this::discovery);
    http.createContext("/jwks", this::jwks);
    http.createContext("/introspect", this::introspect);
    http.start();
  }

  /** Starts an identity provider with no keys and the client {@code mailgate} / {@code idp-client-s3cret}. */
  public static IdpServer start() throws IOException {
    return new IdpServer();
  }

  /** The {@code iss} of its tokens and discovery document: {@code http://127.0.0.1:PORT}. */
  public String issuer() {
    return issuer;
  }

  /** The port. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The OpenID Connect discovery document's URL. */
  public URI discoveryUri() {
    return URI.create(issuer + "/.well-known/openid-configuration");
  }

  /** The JWKS URL. */
  public URI jwksUri() {
    return URI.create(issuer + "/jwks");
  }

  /** The RFC 7662 introspection endpoint's URL. */
  public URI introspectionUri() {
    return URI.create(issuer + "/introspect");
  }

  /** Publishes {@code key} in the JWKS (from the next fetch on). */
  public synchronized IdpKey publish(IdpKey key) {
    published.put(key.kid(), key);
    return key;
  }

  /** Removes the key with this {@code kid} from the JWKS (from the next fetch on). */
  public synchronized void unpublish(String kid) {
    published.remove(kid);
  }

  /** A token builder for a key, with this provider's issuer. */
  public IdpToken token(IdpKey key) {
    return new IdpToken(key, issuer);
  }

  /** Sets the client credentials the introspection endpoint accepts. */
  public void client(String id, String secret) {
    this.clientId = id;
    this.clientSecret = secret;
  }

  /** The client secret the introspection endpoint accepts. */
  public String clientSecret() {
    return clientSecret;
  }

  /**
   * Registers an opaque token as active for {@code user} (claims {@code username}, {@code email}, {@code scope},
   * {@code aud}, {@code iss}, {@code exp} in ten minutes).
   */
  public void registerActive(String token, String user, String scope) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("active", true);
    answer.put("username", user);
    answer.put("email", user);
    if (scope != null) {
      answer.put("scope", scope);
    }
    answer.put("aud", IdpToken.AUDIENCE);
    answer.put("iss", issuer);
    answer.put("token_type", "Bearer");
    answer.put("exp", Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond());
    opaqueTokens.put(token, answer);
  }

  /** Registers an opaque token the endpoint knows but calls inactive (revoked, expired). */
  public void registerInactive(String token) {
    opaqueTokens.put(token, Map.of("active", false));
  }

  /** Every endpoint answers {@code status} from now on (0: back to normal). */
  public void failWith(int status) {
    this.failureStatus = status;
  }

  /** How often the discovery document was fetched. */
  public int discoveryFetches() {
    return discoveryFetches.get();
  }

  /** How often the JWKS was fetched. */
  public int jwksFetches() {
    return jwksFetches.get();
  }

  /** How many introspection requests came with good client credentials. */
  public int introspections() {
    return introspections.get();
  }

  /** How many introspection requests were refused for bad or missing client credentials. */
  public int refusedClients() {
    return refusedClients.get();
  }

  private void discovery(HttpExchange exchange) throws IOException {
    try {
      drain(exchange);
      discoveryFetches.incrementAndGet();
      if (refuseIfFailing(exchange) || !method(exchange, "GET")) {
        return;
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("issuer", issuer);
      doc.put("jwks_uri", jwksUri().toString());
      doc.put("introspection_endpoint", introspectionUri().toString());
      doc.put("id_token_signing_alg_values_supported", List.of("RS256", "ES256"));
      json(exchange, 200, doc);
    } finally {
      exchange.close();
    }
  }

  private void jwks(HttpExchange exchange) throws IOException {
    try {
      drain(exchange);
      jwksFetches.incrementAndGet();
      if (refuseIfFailing(exchange) || !method(exchange, "GET")) {
        return;
      }
      List<JWK> keys = new ArrayList<>();
      synchronized (this) {
        published.values().forEach(k -> keys.add(k.publicJwk()));
      }
      json(exchange, 200, new JWKSet(keys).toJSONObject(true));
    } finally {
      exchange.close();
    }
  }

  private void introspect(HttpExchange exchange) throws IOException {
    try {
      byte[] body = drain(exchange);
      if (refuseIfFailing(exchange) || !method(exchange, "POST")) {
        return;
      }
      if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
        refusedClients.incrementAndGet();
        // RFC 7662 section 2.3: 401 for a resource server that failed to authenticate.
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"idp\"");
        json(exchange, 401, Map.of("error", "invalid_client"));
        return;
      }
      introspections.incrementAndGet();
      Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
      Map<String, Object> answer = opaqueTokens.get(form.getOrDefault("token", ""));
      json(exchange, 200, answer == null ? Map.of("active", false) : answer);
    } finally {
      exchange.close();
    }
  }

  /** RFC 7617 Basic with the RFC 6749 section 2.3.1 form-encoding of id and secret. */
  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return false;
    }
    String id = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
    String secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
    return id.equals(clientId) && secret.equals(clientSecret);
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  private boolean refuseIfFailing(HttpExchange exchange) throws IOException {
    int status = failureStatus;
    if (status == 0) {
      return false;
    }
    json(exchange, status, Map.of("error", "temporarily_unavailable"));
    return true;
  }

  private static boolean method(HttpExchange exchange, String expected) throws IOException {
    if (expected.equals(exchange.getRequestMethod())) {
      return true;
    }
    json(exchange, 405, Map.of("error", "method not allowed"));
    return false;
  }

  private static byte[] drain(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      return in.readNBytes(MAX_BODY);
    }
  }

  private static void json(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
    byte[] bytes = JSONObjectUtils.toJSONString(new LinkedHashMap<String, Object>(body))
        .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops listening at once: later fetches are refused connections. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    http.stop(0);
    pool.shutdownNow();
  }
}
