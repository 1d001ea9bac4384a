package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.FakeSmtpBackend;
import io.mailgate.testkit.IdpKey;
import io.mailgate.testkit.IdpServer;
import io.mailgate.testkit.IdpToken;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bearer-token logins checked by mailgate itself (no auth_http): JWTs against the keys of a local identity provider
 * found by OpenID Connect discovery, and opaque tokens at its RFC 7662 introspection endpoint, over IMAP, POP3 and
 * SMTP, through to fake backends. One mailgate with several servers serves the whole class, so that each server's
 * key cache lives across tests, as it does in production.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OAuthLoginIT {

  private static final String USER = "alice@example.com";
  /**
   * The key set fetch rate limit (OAuthSettings' default keyRefreshMinInterval, 30 s, not configurable by a directive)
   * plus a margin: it counts from the start of the first fetch, which is after the priming login started.
   */
  private static final long REFRESH_LIMIT_MILLIS = 30_500;

  @TempDir static Path dir;
  static IdpServer idp;
  static IdpServer rotatingIdp;
  static IdpServer cachingIdp;
  static IdpKey rsa;
  static IdpKey ec;
  static IdpKey rotatedOut;
  static IdpKey cachedKey;
  static FakeImapBackend imapBackend;
  static FakePop3Backend pop3Backend;
  static FakeSmtpBackend smtpBackend;
  static ProxyUnderTest proxy;
  static Ports ports;
  static long rotationPrimedAtNanos;

  /** Where each server block listens. */
  record Ports(int imap, int pop3, int smtp, int rotating, int caching, int deadImap, int deadPop3, int deadSmtp,
      int introspection, int badClient) {

    int main(Proto p) {
      return p == Proto.IMAP ? imap : p == Proto.POP3 ? pop3 : smtp;
    }

    int dead(Proto p) {
      return p == Proto.IMAP ? deadImap : p == Proto.POP3 ? deadPop3 : deadSmtp;
    }
  }

  /** What differs between the three protocols' SASL dialogues (RFC 3501, RFC 5034, RFC 4954). */
  enum Proto {
    IMAP("* OK IMAP4 ready", "t1 AUTHENTICATE ", "+ ", "t1 OK LOGIN completed", "t1 NO invalid token",
        "* BAD internal server error"),
    POP3("+OK POP3 ready", "AUTH ", "+ ", "+OK", "-ERR invalid token", "-ERR internal server error"),
    SMTP("220 mx.test ESMTP ready", "AUTH ", "334 ", "235 2.0.0 OK", "535 5.7.0 invalid token",
        "451 4.3.2 Internal server error");

    final String greeting;
    final String auth;
    final String continuation;
    final String success;
    final String failure;
    final String internalError;

    Proto(String greeting, String auth, String continuation, String success, String failure, String internalError) {
      this.greeting = greeting;
      this.auth = auth;
      this.continuation = continuation;
      this.success = success;
      this.failure = failure;
      this.internalError = internalError;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    idp = IdpServer.start();
    rsa = idp.publish(IdpKey.rs256("rsa-1"));
    ec = idp.publish(IdpKey.es256("ec-1"));
    rotatingIdp = IdpServer.start();
    rotatedOut = rotatingIdp.publish(IdpKey.rs256("rot-1"));
    cachingIdp = IdpServer.start();
    cachedKey = cachingIdp.publish(IdpKey.es256("cache-1"));
    imapBackend = new FakeImapBackend();
    // Any PASS is accepted for the mapped user: the password is the token, different in every test.
    pop3Backend = new FakePop3Backend(USER, "unused").passReply("+OK pass ok");
    smtpBackend = new FakeSmtpBackend();
    Path secret = Files.writeString(dir.resolve("introspection.secret"), idp.clientSecret() + "\n");
    Path wrongSecret = Files.writeString(dir.resolve("wrong.secret"), "not-the-secret\n");
    int[] free = distinctFreePorts(11);
    int[] more = Arrays.copyOfRange(free, 1, 10);
    // Nothing listens there: every fetch is a refused connection.
    String dead = "http://127.0.0.1:" + free[10] + "/.well-known/openid-configuration";
    String imap = "protocol imap; imap_auth plain oauthbearer xoauth2; proxy_backend 127.0.0.1:"
        + imapBackend.port() + ";";
    String pop3 = "protocol pop3; pop3_auth plain oauthbearer xoauth2;"
        + " proxy_backend 127.0.0.1:" + pop3Backend.port() + ";";
    String smtp = "protocol smtp; server_name mx.test; smtp_auth plain oauthbearer xoauth2; xclient off;"
        + " proxy_smtp_auth on; proxy_backend 127.0.0.1:" + smtpBackend.port() + ";";
    proxy = ProxyUnderTest.start(dir, String.join("\n",
        "auth_oauth_discovery " + idp.discoveryUri() + ";",
        "auth_oauth_audience mail;",
        "auth_oauth_scope mail.read;",
        "server { listen 127.0.0.1:" + free[0] + "; " + imap + " }",
        "server { listen 127.0.0.1:" + more[0] + "; " + pop3 + " }",
        "server { listen 127.0.0.1:" + more[1] + "; " + smtp + " }",
        "server { listen 127.0.0.1:" + more[2] + "; " + imap + " auth_oauth_discovery " + rotatingIdp.discoveryUri()
            + "; }",
        "server { listen 127.0.0.1:" + more[3] + "; " + imap + " auth_oauth_discovery " + cachingIdp.discoveryUri()
            + "; }",
        "server { listen 127.0.0.1:" + more[4] + "; " + imap + " auth_oauth_discovery " + dead + "; }",
        "server { listen 127.0.0.1:" + more[5] + "; " + pop3 + " auth_oauth_discovery " + dead + "; }",
        "server { listen 127.0.0.1:" + more[6] + "; " + smtp + " auth_oauth_discovery " + dead + "; }",
        "server { listen 127.0.0.1:" + more[7] + "; " + imap + " auth_oauth_introspection "
            + idp.introspectionUri() + " mailgate " + secret + "; }",
        "server { listen 127.0.0.1:" + more[8] + "; " + imap + " auth_oauth_introspection "
            + idp.introspectionUri() + " mailgate " + wrongSecret + "; }"));
    ports = new Ports(free[0], more[0], more[1], more[2], more[3], more[4], more[5], more[6], more[7], more[8]);
    // The rotating and caching servers get their keys now: the rotation test must outwait the refresh rate limit
    // counted from this first fetch, and the other tests run meanwhile.
    rotationPrimedAtNanos = System.nanoTime();
    assertThat(login(ports.rotating(), Proto.IMAP, "OAUTHBEARER", bearer(rotatingIdp.token(rotatedOut).email(USER)
        .sign()), true)).isEqualTo(Proto.IMAP.success);
    assertThat(login(ports.caching(), Proto.IMAP, "XOAUTH2", xoauth2(USER, cachingIdp.token(cachedKey).email(USER)
        .sign()), true)).isEqualTo(Proto.IMAP.success);
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {idp, rotatingIdp, cachingIdp, imapBackend, pop3Backend, smtpBackend}) {
      if (c != null) {
        c.close();
      }
    }
    LeakWatcher.assertNoLeaks();
  }

  static Stream<Arguments> everyProtocolMechanismAndForm() {
    List<Arguments> all = new ArrayList<>();
    for (Proto p : Proto.values()) {
      for (String mechanism : List.of("OAUTHBEARER", "XOAUTH2")) {
        all.add(Arguments.of(p, mechanism, true));
        all.add(Arguments.of(p, mechanism, false));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1}, initial response {2}")
  @MethodSource("everyProtocolMechanismAndForm")
  void aGoodTokenLogsInAndTheBackendGetsTheTokensUserWithTheTokenAsPassword(Proto p, String mechanism,
      boolean initial) throws Exception {
    // RS256 for OAUTHBEARER, ES256 for XOAUTH2: both algorithms on every protocol.
    IdpKey key = mechanism.equals("XOAUTH2") ? ec : rsa;
    String token = idp.token(key).email(USER).sign();
    String message = mechanism.equals("XOAUTH2") ? xoauth2(USER, token) : bearer(token);
    assertThat(login(ports.main(p), p, mechanism, message, initial)).startsWith(p.success);
    assertBackendGot(p, USER, token);
  }

  @ParameterizedTest
  @EnumSource(Proto.class)
  void anExpiredTokenGetsTheErrorChallengeAfterASecondThenAFailureAndTheSessionGoesOn(Proto p) throws Exception {
    String expired = idp.token(rsa).email(USER).expired().sign();
    try (LineClient c = connect(ports.main(p), p)) {
      long start = System.nanoTime();
      c.send(p.auth + "OAUTHBEARER " + b64(bearer(expired)));
      Map<String, Object> error = challenge(p, c.readLine());
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(950);
      assertThat(error).containsEntry("status", "invalid_token")
          .containsEntry("openid-configuration", idp.discoveryUri().toString())
          .containsEntry("scope", IdpToken.SCOPE);
      // RFC 7628 section 3.2.3: the client acknowledges with the dummy response %x01; the server then fails.
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo(p.failure);
      String good = idp.token(rsa).email(USER).sign();
      c.send(p.auth + "OAUTHBEARER " + b64(bearer(good)));
      assertThat(c.readLine()).startsWith(p.success);
      assertBackendGot(p, USER, good);
    }
  }

  @Test
  void aTokenWithoutTheRequiredScopeGetsInsufficientScopeNamingTheScope() throws Exception {
    String token = idp.token(ec).email(USER).scope("mail.send profile").sign();
    try (LineClient c = connect(ports.imap(), Proto.IMAP)) {
      c.send("t1 AUTHENTICATE XOAUTH2 " + b64(xoauth2(USER, token)));
      assertThat(challenge(Proto.IMAP, c.readLine())).containsEntry("status", "insufficient_scope")
          .containsEntry("scope", IdpToken.SCOPE)
          .containsEntry("openid-configuration", idp.discoveryUri().toString());
      // XOAUTH2's acknowledgement is an empty response.
      c.send("");
      assertThat(c.readLine()).isEqualTo("t1 NO invalid token");
      c.send("t2 NOOP");
      assertThat(c.readLine()).isEqualTo("t2 OK completed");
    }
  }

  @ParameterizedTest
  @EnumSource(Proto.class)
  void aSaslUserOtherThanTheTokensEmailIsRefused(Proto p) throws Exception {
    String token = idp.token(rsa).email(USER).sign();
    int before = backendLines(p);
    try (LineClient c = connect(ports.main(p), p)) {
      c.send(p.auth + "XOAUTH2 " + b64(xoauth2("mallory@example.com", token)));
      assertThat(challenge(p, c.readLine())).containsEntry("status", "invalid_token");
      c.send("");
      assertThat(c.readLine()).isEqualTo(p.failure);
    }
    assertThat(backendLines(p)).isEqualTo(before);
  }

  @Test
  void aMismatchedOauthbearerAuthzidIsRefusedToo() throws Exception {
    String token = idp.token(ec).email(USER).sign();
    try (LineClient c = connect(ports.imap(), Proto.IMAP)) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + b64("n,a=bob@example.com,\1auth=Bearer " + token + "\1\1"));
      assertThat(challenge(Proto.IMAP, c.readLine())).containsEntry("status", "invalid_token");
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo("t1 NO invalid token");
      // The same token with the matching authzid is fine.
      c.send("t2 AUTHENTICATE OAUTHBEARER " + b64("n,a=" + USER + ",\1auth=Bearer " + token + "\1\1"));
      assertThat(c.readLine()).isEqualTo("t2 OK LOGIN completed");
    }
  }

  @Test
  void everySpoiledTokenIsRefusedWithInvalidToken() throws Exception {
    IdpKey unpublished = IdpKey.rs256("rsa-1");
    Map<String, String> spoiled = Map.of(
        "wrong audience", idp.token(rsa).email(USER).wrongAudience().sign(),
        "wrong issuer", idp.token(ec).email(USER).wrongIssuer().sign(),
        "unknown kid", idp.token(rsa).email(USER).unknownKid().sign(),
        "not yet valid", idp.token(ec).email(USER).notYetValid().sign(),
        "no email claim", idp.token(rsa).sign(),
        "forged signature (same kid, other key)", idp.token(unpublished).email(USER).sign());
    int before = imapBackend.received().size();
    // One connection each, all at once: the one-second waits overlap.
    Map<String, LineClient> clients = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, String> e : spoiled.entrySet()) {
        LineClient c = connect(ports.imap(), Proto.IMAP);
        clients.put(e.getKey(), c);
        c.send("t1 AUTHENTICATE OAUTHBEARER " + b64(bearer(e.getValue())));
      }
      for (Map.Entry<String, LineClient> e : clients.entrySet()) {
        assertThat(challenge(Proto.IMAP, e.getValue().readLine())).as(e.getKey())
            .containsEntry("status", "invalid_token");
        e.getValue().send("AQ==");
        assertThat(e.getValue().readLine()).as(e.getKey()).isEqualTo("t1 NO invalid token");
      }
    } finally {
      for (LineClient c : clients.values()) {
        c.close();
      }
    }
    assertThat(imapBackend.received()).hasSize(before);
  }

  @Test
  void keysAreFetchedOnceAndThenServedFromTheCache() throws Exception {
    assertThat(login(ports.imap(), Proto.IMAP, "XOAUTH2", xoauth2(USER, idp.token(ec).email(USER).sign()), true))
        .isEqualTo(Proto.IMAP.success);
    int jwks = idp.jwksFetches();
    int discovery = idp.discoveryFetches();
    assertThat(discovery).isPositive();
    for (int i = 0; i < 3; i++) {
      assertThat(login(ports.imap(), Proto.IMAP, "OAUTHBEARER", bearer(idp.token(rsa).email(USER).sign()), i == 0))
          .isEqualTo(Proto.IMAP.success);
    }
    assertThat(idp.jwksFetches()).isEqualTo(jwks);
    assertThat(idp.discoveryFetches()).isEqualTo(discovery);
  }

  @Test
  void withTheIdentityProviderDownTheCachedKeysStillWork() throws Exception {
    int fetches = cachingIdp.jwksFetches();
    assertThat(fetches).isEqualTo(1);
    cachingIdp.close();
    String token = cachingIdp.token(cachedKey).email(USER).sign();
    assertThat(login(ports.caching(), Proto.IMAP, "OAUTHBEARER", bearer(token), false))
        .isEqualTo(Proto.IMAP.success);
    assertBackendGot(Proto.IMAP, USER, token);
  }

  @ParameterizedTest
  @EnumSource(Proto.class)
  void withTheIdentityProviderDownAndNoKeysTheLoginIsATemporaryFailure(Proto p) throws Exception {
    try (LineClient c = connect(ports.dead(p), p)) {
      c.send(p.auth + "OAUTHBEARER " + b64(bearer(idp.token(rsa).email(USER).sign())));
      assertThat(c.readLine()).isEqualTo(p.internalError);
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void anActiveOpaqueTokenIsAcceptedByIntrospection() throws Exception {
    String token = "opaque-" + UUID.randomUUID();
    idp.registerActive(token, USER, "openid mail.read");
    int before = idp.introspections();
    assertThat(login(ports.introspection(), Proto.IMAP, "XOAUTH2", xoauth2(USER, token), false))
        .isEqualTo(Proto.IMAP.success);
    assertBackendGot(Proto.IMAP, USER, token);
    assertThat(idp.introspections()).isEqualTo(before + 1);
  }

  @Test
  void anInactiveOrUnknownOpaqueTokenIsRefused() throws Exception {
    String revoked = "opaque-" + UUID.randomUUID();
    idp.registerInactive(revoked);
    String unknown = "opaque-" + UUID.randomUUID();
    try (LineClient c = connect(ports.introspection(), Proto.IMAP)) {
      for (String token : List.of(revoked, unknown)) {
        c.send("t1 AUTHENTICATE OAUTHBEARER " + b64(bearer(token)));
        assertThat(challenge(Proto.IMAP, c.readLine())).containsEntry("status", "invalid_token")
            .containsEntry("openid-configuration", idp.discoveryUri().toString());
        c.send("AQ==");
        assertThat(c.readLine()).isEqualTo("t1 NO invalid token");
      }
    }
  }

  @Test
  void introspectionWithAWrongClientSecretIsATemporaryFailure() throws Exception {
    String token = "opaque-" + UUID.randomUUID();
    idp.registerActive(token, USER, IdpToken.SCOPE);
    int refused = idp.refusedClients();
    try (LineClient c = connect(ports.badClient(), Proto.IMAP)) {
      c.send("t1 AUTHENTICATE XOAUTH2 " + b64(xoauth2(USER, token)));
      assertThat(c.readLine()).isEqualTo(Proto.IMAP.internalError);
    }
    assertThat(idp.refusedClients()).isEqualTo(refused + 1);
  }

  @Test
  void anIntrospectionEndpointAnsweringAnHttpErrorIsATemporaryFailure() throws Exception {
    String token = "opaque-" + UUID.randomUUID();
    idp.registerActive(token, USER, IdpToken.SCOPE);
    idp.failWith(503);
    try (LineClient c = connect(ports.introspection(), Proto.IMAP)) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + b64(bearer(token)));
      assertThat(c.readLine()).isEqualTo(Proto.IMAP.internalError);
    } finally {
      idp.failWith(0);
    }
    // Nothing was cached from the failure: the same token works once the endpoint is back.
    assertThat(login(ports.introspection(), Proto.IMAP, "OAUTHBEARER", bearer(token), true))
        .isEqualTo(Proto.IMAP.success);
  }

  @Test
  void noTokenOrClientSecretReachesTheLog() throws Exception {
    String jwt = idp.token(rsa).email(USER).sign();
    String expired = idp.token(ec).email(USER).expired().sign();
    String opaque = "opaque-" + UUID.randomUUID();
    idp.registerActive(opaque, USER, IdpToken.SCOPE);
    String revoked = "opaque-" + UUID.randomUUID();
    idp.registerInactive(revoked);
    List<String> secrets = new ArrayList<>(List.of(jwt, expired, opaque, revoked, idp.clientSecret(),
        signature(jwt), signature(expired), b64(xoauth2(USER, jwt)), b64(bearer(expired)), b64(bearer(opaque)),
        b64(bearer(revoked))));
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      assertThat(login(ports.imap(), Proto.IMAP, "XOAUTH2", xoauth2(USER, jwt), false)).isEqualTo(Proto.IMAP.success);
      try (LineClient c = connect(ports.smtp(), Proto.SMTP)) {
        c.send("AUTH OAUTHBEARER " + b64(bearer(expired)));
        assertThat(challenge(Proto.SMTP, c.readLine())).containsEntry("status", "invalid_token");
        c.send("AQ==");
        assertThat(c.readLine()).isEqualTo(Proto.SMTP.failure);
      }
      assertThat(login(ports.introspection(), Proto.IMAP, "OAUTHBEARER", bearer(opaque), true))
          .isEqualTo(Proto.IMAP.success);
      try (LineClient c = connect(ports.introspection(), Proto.IMAP)) {
        c.send("t1 AUTHENTICATE OAUTHBEARER " + b64(bearer(revoked)));
        assertThat(challenge(Proto.IMAP, c.readLine())).containsEntry("status", "invalid_token");
        c.send("AQ==");
        assertThat(c.readLine()).isEqualTo("t1 NO invalid token");
      }
      // The capture saw these sessions, so what it lacks below is really absent.
      assertThat(log.text()).contains("client logged in", "oauth token rejected");
      for (String secret : secrets) {
        assertThat(log.text()).doesNotContain(secret);
      }
    }
  }

  /**
   * Last, so that the key-set refresh rate limit (counted from the first fetch, in {@link #start}) has mostly run out
   * while the other tests ran.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void aKeyRotatedInAtTheIdentityProviderIsPickedUpByARefetch() throws Exception {
    assertThat(rotatingIdp.jwksFetches()).isEqualTo(1);
    IdpKey rotatedIn = rotatingIdp.publish(IdpKey.es256("rot-2"));
    rotatingIdp.unpublish(rotatedOut.kid());
    String fresh = rotatingIdp.token(rotatedIn).email(USER).sign();
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rotationPrimedAtNanos);
    if (waited < REFRESH_LIMIT_MILLIS - 2_000) {
      // Within the rate limit an unknown kid (client-controlled) must not make mailgate fetch again.
      try (LineClient c = connect(ports.rotating(), Proto.IMAP)) {
        c.send("t1 AUTHENTICATE OAUTHBEARER " + b64(bearer(fresh)));
        assertThat(challenge(Proto.IMAP, c.readLine())).containsEntry("status", "invalid_token");
        c.send("AQ==");
        assertThat(c.readLine()).isEqualTo("t1 NO invalid token");
      }
      assertThat(rotatingIdp.jwksFetches()).isEqualTo(1);
    }
    long remaining = REFRESH_LIMIT_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rotationPrimedAtNanos);
    if (remaining > 0) {
      Thread.sleep(remaining);
    }
    assertThat(login(ports.rotating(), Proto.IMAP, "OAUTHBEARER", bearer(fresh), true)).isEqualTo(Proto.IMAP.success);
    assertBackendGot(Proto.IMAP, USER, fresh);
    assertThat(rotatingIdp.jwksFetches()).isEqualTo(2);
    // The refetched set replaced the old one: the rotated-out key signs nothing any more.
    try (LineClient c = connect(ports.rotating(), Proto.IMAP)) {
      c.send("t1 AUTHENTICATE OAUTHBEARER " + b64(bearer(rotatingIdp.token(rotatedOut).email(USER).sign())));
      assertThat(challenge(Proto.IMAP, c.readLine())).containsEntry("status", "invalid_token");
      c.send("AQ==");
      assertThat(c.readLine()).isEqualTo("t1 NO invalid token");
    }
  }

  // --- helpers ---

  /** Ports that were free a moment ago, all different (each socket is held until all are chosen). */
  private static int[] distinctFreePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  /** RFC 7628 OAUTHBEARER client response for {@link #USER} (mailgate, like nginx, requires the authzid). */
  private static String bearer(String token) {
    return "n,a=" + USER + ",\1auth=Bearer " + token + "\1\1";
  }

  /** Google's XOAUTH2 client response. */
  private static String xoauth2(String user, String token) {
    return "user=" + user + "\1auth=Bearer " + token + "\1\1";
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String signature(String jwt) {
    return jwt.substring(jwt.lastIndexOf('.') + 1);
  }

  private static LineClient connect(int port, Proto p) throws Exception {
    LineClient c = new LineClient(port);
    String greeting = c.readLine();
    if (greeting == null || !greeting.startsWith(p.greeting)) {
      c.close();
      throw new AssertionError("expected greeting <" + p.greeting + "> but got <" + greeting + ">");
    }
    if (p == Proto.SMTP) {
      c.send("EHLO client.example");
      String line;
      do {
        line = c.readLine();
      } while (line != null && line.startsWith("250-"));
      assertThat(line).startsWith("250 ");
    }
    return c;
  }

  /** One login on a new connection; returns the reply to it. */
  private static String login(int port, Proto p, String mechanism, String message, boolean initial)
      throws Exception {
    try (LineClient c = connect(port, p)) {
      if (initial) {
        c.send(p.auth + mechanism + " " + b64(message));
      } else {
        c.send(p.auth + mechanism);
        assertThat(c.readLine()).isEqualTo(p.continuation);
        c.send(b64(message));
      }
      return c.readLine();
    }
  }

  /** The JSON of an RFC 7628 section 3.2.2 error challenge line. */
  private static Map<String, Object> challenge(Proto p, String line) throws Exception {
    assertThat(line).startsWith(p.continuation).hasSizeGreaterThan(p.continuation.length());
    return JSONObjectUtils.parse(new String(Base64.getDecoder().decode(line.substring(p.continuation.length())),
        StandardCharsets.UTF_8));
  }

  private static int backendLines(Proto p) {
    return p == Proto.IMAP ? imapBackend.received().size()
        : p == Proto.POP3 ? pop3Backend.received().size() : smtpBackend.received().size();
  }

  /** The backend saw a login as {@code user} with {@code password}; it has arrived once the client got its reply. */
  private static void assertBackendGot(Proto p, String user, String password) {
    if (p == Proto.IMAP) {
      assertThat(imapBackend.received()).contains("t1 LOGIN {" + user.length() + "}\r\n" + user + " {"
          + password.length() + "}\r\n" + password);
    } else if (p == Proto.POP3) {
      List<String> lines = pop3Backend.received();
      int pass = lines.indexOf("PASS " + password);
      assertThat(pass).as("PASS with the token").isPositive();
      assertThat(lines.get(pass - 1)).isEqualTo("USER " + user);
    } else {
      assertThat(smtpPlainLogins()).contains("\0" + user + "\0" + password);
    }
  }

  /** The decoded AUTH PLAIN responses the SMTP backend received, in either form. */
  private static List<String> smtpPlainLogins() {
    List<String> lines = smtpBackend.received();
    List<String> logins = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String data = line.startsWith("AUTH PLAIN ") ? line.substring(11)
          : line.equals("AUTH PLAIN") && i + 1 < lines.size() ? lines.get(i + 1) : null;
      if (data != null) {
        logins.add(new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
      }
    }
    return logins;
  }
}
