package io.mailgate.auth;

import io.mailgate.backend.BackendTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.auth.FakeAuthHttpServer.Reply;
import io.mailgate.config.ResolverConfig;
import io.mailgate.resolver.FakeDnsServer;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.mailgate.config.AuthHttpConfig;
import io.mailgate.config.AuthHttpService;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.NoDescriptors;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpAuthClientTest {

  private static final String OK_HEADERS = "Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 143\r\n";

  private static MultiThreadIoEventLoopGroup group;

  private EventLoop loop;
  private FakeAuthHttpServer server;
  private CountingGate gate;
  private HttpAuthClient client;

  /** Counts slots and notes any call made off the event loop. */
  private static final class CountingGate implements ConnectionGate {
    final AtomicInteger acquired = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();
    final AtomicInteger offLoop = new AtomicInteger();
    volatile int limit = Integer.MAX_VALUE;

    @Override
    public boolean tryAcquire(EventLoop loop) {
      if (!loop.inEventLoop()) {
        offLoop.incrementAndGet();
      }
      if (acquired.get() - released.get() >= limit) {
        return false;
      }
      acquired.incrementAndGet();
      return true;
    }

    @Override
    public void release(EventLoop loop) {
      if (!loop.inEventLoop()) {
        offLoop.incrementAndGet();
      }
      released.incrementAndGet();
    }
  }

  @BeforeAll
  static void startLoop() {
    LeakWatcher.install();
    group = Transport.nio(Optional.empty()).newGroup(1, "auth-test");
  }

  @AfterAll
  static void stopLoop() throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    LeakWatcher.assertNoLeaks();
  }

  @BeforeEach
  void setUp() throws IOException {
    loop = (EventLoop) group.next();
    server = new FakeAuthHttpServer();
    gate = new CountingGate();
    client = newClient(server.address(), Duration.ofSeconds(5), List.of());
  }

  @AfterEach
  void tearDown() throws IOException {
    client.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.released.get() == gate.acquired.get());
    assertThat(gate.offLoop.get()).as("gate calls off the event loop").isZero();
    server.close();
  }

  private HttpAuthClient newClient(SocketAddress address, Duration timeout, List<AuthHttpConfig.HttpHeader> headers) {
    return newClient(address, timeout, headers, AuthHttpConfig.DEFAULT_KEEPALIVE);
  }

  private HttpAuthClient newClient(SocketAddress address, Duration timeout, List<AuthHttpConfig.HttpHeader> headers,
      int keepalive) {
    AuthHttpConfig config = AuthHttpConfig.single(
        AuthHttpService.plain("http://auth.test/auth", address, "auth.test", "/auth", timeout), headers, false,
        keepalive);
    return create(config, Optional.empty());
  }

  private HttpAuthClient create(AuthHttpConfig config, Optional<ResolverConfig> resolver) {
    try {
      return new HttpAuthClient(config, Transport.nio(Optional.empty()), gate, resolver);
    } catch (io.mailgate.tls.TlsSetupException e) {
      throw new IllegalStateException(e);
    }
  }

  private static AuthRequest request(byte[] login, byte[] pass) {
    return new AuthRequest(Credentials.of(Mechanism.PLAIN, login, pass), "imap", 1, "192.0.2.1", Optional.empty(),
        List.of());
  }

  private static AuthRequest request() {
    return request(bytes("alice"), bytes("pw"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private AuthResult ask(AuthRequest request) throws Exception {
    return client.authenticate(request, loop).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private AuthResult answer(String response) throws Exception {
    server.then(Reply.thenClose(response));
    return ask(request());
  }

  private String peer() {
    return "127.0.0.1:" + server.address().getPort();
  }

  private static String unavailable(AuthResult result) {
    assertThat(result).isInstanceOf(AuthResult.Unavailable.class);
    return ((AuthResult.Unavailable) result).reason();
  }

  private static String keepAliveOk(String body) {
    return "HTTP/1.1 200 OK\r\n" + OK_HEADERS + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }

  @Test
  void theRequestIsSentByteExactWithEscapingAndConfiguredHeadersLast() throws Exception {
    client.close();
    client = newClient(server.address(), Duration.ofSeconds(5),
        List.of(new AuthHttpConfig.HttpHeader("X-Auth-Key", "k 1"), new AuthHttpConfig.HttpHeader("X-Z", "z")));
    byte[] login = "j\u00fcrgen".getBytes(StandardCharsets.UTF_8);
    AuthRequest request = new AuthRequest(Credentials.of(Mechanism.PLAIN, login, bytes("a b%c\u0001")), "smtp", 3,
        "192.0.2.1", Optional.of("client.example"),
        List.of(new AuthRequest.Header("Auth-SSL", "on"), new AuthRequest.Header("Auth-SSL-Protocol", "TLSv1.3")));
    server.then(Reply.thenClose("HTTP/1.0 200 OK\r\n" + OK_HEADERS + "\r\n"));

    assertThat(ask(request)).isInstanceOf(AuthResult.Accepted.class);

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(bytes("GET /auth HTTP/1.0\r\nHost: auth.test\r\nAuth-Method: plain\r\nAuth-User: "));
    expected.writeBytes(login);
    expected.writeBytes(bytes("\r\nAuth-Pass: a%20b%25c%01\r\nAuth-Protocol: smtp\r\nAuth-Login-Attempt: 3\r\n"
        + "Client-IP: 192.0.2.1\r\nClient-Host: client.example\r\nAuth-SSL: on\r\nAuth-SSL-Protocol: TLSv1.3\r\n"
        + "Connection: keep-alive\r\nX-Auth-Key: k 1\r\nX-Z: z\r\n\r\n"));
    assertThat(server.requests()).hasSize(1);
    assertThat(server.requests().get(0)).isEqualTo(expected.toByteArray());
  }

  @Test
  void aSocketThatCannotBeCreatedIsAnUnavailableServiceAtOnceAndGivesBackItsSlot() throws Exception {
    // At the descriptor limit (found by the soak): the connect's placeholder channel is on no loop; its listener
    // ran on Netty's global executor and closing it threw, so the login hung until auth_http_timeout, and its
    // worker_connections slot was never returned (tearDown checks that every slot taken was given back).
    client.close();
    AuthHttpConfig config = AuthHttpConfig.single(AuthHttpService.plain("http://auth.test/auth", server.address(),
        "auth.test", "/auth", Duration.ofSeconds(30)), List.of(), false, AuthHttpConfig.DEFAULT_KEEPALIVE);
    client = new HttpAuthClient(config, NoDescriptors.transport(), gate, Optional.empty());
    long started = System.nanoTime();

    AuthResult result = ask(request());

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5000L);
    assertThat(unavailable(result)).isEqualTo("auth http server " + peer()
        + " socket() failed (24: Too many open files)");
    assertThat(((AuthResult.Unavailable) result).kind()).isEqualTo(AuthResult.Unavailable.Kind.CONNECT);
    assertThat(gate.acquired.get()).isEqualTo(1);
    assertThat(gate.released.get()).isEqualTo(1);
  }

  @Test
  void authSaltIsSentOnlyForSaltedCredentials() throws Exception {
    AuthRequest salted = new AuthRequest(
        new Credentials(Mechanism.CRAM_MD5, bytes("bob"), bytes("digest"), Optional.of("<42.1@mail>")),
        "imap", 1, "192.0.2.1", Optional.empty(), List.of());
    server.then(Reply.thenClose(OK_HEADERS + "\r\n")).then(Reply.thenClose(OK_HEADERS + "\r\n"));

    ask(salted);
    ask(request());

    String first = new String(server.requests().get(0), StandardCharsets.ISO_8859_1);
    assertThat(first).contains("Auth-Method: cram-md5\r\nAuth-User: bob\r\nAuth-Pass: digest\r\n"
        + "Auth-Salt: <42.1@mail>\r\nAuth-Protocol: imap\r\n");
    assertThat(new String(server.requests().get(1), StandardCharsets.ISO_8859_1)).doesNotContain("Auth-Salt");
  }

  @Test
  void okWithServerPortUserAndPassIsAccepted() throws Exception {
    AuthResult result = answer("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 10.1.2.3\r\nAuth-Port: 993\r\n"
        + "Auth-User: backend\u00e9\r\nAuth-Pass: x%20y\r\n\r\n");

    assertThat(result).isEqualTo(new AuthResult.Accepted(
        BackendTarget.of(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), 993)),
        Optional.of(bytes("backend\u00e9")), Optional.of(bytes("x%20y")), Optional.empty()));
  }

  @Test
  void aResponseWithoutAuthStatusIsSuccess() throws Exception {
    AuthResult result = answer("HTTP/1.0 200 OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 110\r\n\r\n");

    assertThat(result).isInstanceOf(AuthResult.Accepted.class);
    assertThat(((AuthResult.Accepted) result).backend().first().getPort()).isEqualTo(110);
  }

  @Test
  void aFailureCarriesWaitCodeAndSaslError() throws Exception {
    AuthResult result = answer("HTTP/1.0 200 OK\r\nAuth-Status: Invalid login or password\r\nAuth-Wait: 3\r\n"
        + "Auth-Error-Code: 535 5.7.8\r\nAuth-Error-SASL: eyJzdGF0dXMiOiI0MDEifQ==\r\n\r\n");

    assertThat(result).isEqualTo(new AuthResult.Rejected("Invalid login or password", Optional.of("535 5.7.8"),
        Optional.of(Duration.ofSeconds(3)), Optional.of("eyJzdGF0dXMiOiI0MDEifQ==")));
  }

  @Test
  void waitAsksForARetry() throws Exception {
    assertThat(answer("HTTP/1.0 200 OK\r\nAuth-Status: WAIT\r\nAuth-Wait: 1\r\n\r\n"))
        .isEqualTo(new AuthResult.Retry(Optional.of(Duration.ofSeconds(1))));
  }

  @Test
  void theStatusLineIsOptionalAndBareLineFeedsEndLines() throws Exception {
    assertThat(answer(OK_HEADERS + "\r\n")).isInstanceOf(AuthResult.Accepted.class);
    assertThat(answer("HTTP/1.0 200 OK\nAuth-Status: OK\nAuth-Server: 127.0.0.1\nAuth-Port: 143\n\n"))
        .isInstanceOf(AuthResult.Accepted.class);
  }

  @Test
  void anInvalidHeaderNameIsUnavailable() throws Exception {
    assertThat(unavailable(answer("HTTP/1.0 200 OK\r\nAuth_Status: OK\r\n\r\n")))
        .isEqualTo("auth http server " + peer() + " sent invalid header in response");
  }

  @Test
  void aBareCarriageReturnIsAnInvalidResponse() throws Exception {
    assertThat(unavailable(answer("HTTP/1.0 200\rOK\r\n\r\n")))
        .isEqualTo("auth http server " + peer() + " sent invalid response");
  }

  /** A client whose {@code resolver} is {@code dns}, with {@code resolver_timeout} 2s. */
  private HttpAuthClient clientResolvingWith(FakeDnsServer dns) {
    AuthHttpConfig config = AuthHttpConfig.single(AuthHttpService.plain("http://auth.test/auth", server.address(),
        "auth.test", "/auth", Duration.ofSeconds(5)), List.of(), false, AuthHttpConfig.DEFAULT_KEEPALIVE);
    ResolverConfig resolver = new ResolverConfig(new ResolverConfig.NameServers(List.of(dns.address()),
        Optional.empty(), true, true), Duration.ofSeconds(2));
    return create(config, Optional.of(resolver));
  }

  @Test
  void anAuthServerNameIsResolvedToAllItsAddressesIpv4First() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer((name, type) -> !name.equals("imap.internal")
        ? FakeDnsServer.Answer.code(DnsResponseCode.NXDOMAIN)
        : type == DnsRecordType.A
            ? FakeDnsServer.Answer.records(() -> List.of(FakeDnsServer.address(name, "192.0.2.10", 60),
                FakeDnsServer.address(name, "192.0.2.11", 60)))
            : FakeDnsServer.Answer.records(() -> List.of(FakeDnsServer.address(name, "2001:db8::12", 60))))) {
      client.close();
      client = clientResolvingWith(dns);

      AuthResult result = answer("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: imap.internal\r\n"
          + "Auth-Port: 993\r\nAuth-Pass: x\r\n\r\n");

      assertThat(result).isInstanceOf(AuthResult.Accepted.class);
      AuthResult.Accepted accepted = (AuthResult.Accepted) result;
      assertThat(accepted.backend().toString())
          .isEqualTo("192.0.2.10:993 192.0.2.11:993 [2001:db8:0:0:0:0:0:12]:993");
      assertThat(accepted.pass().map(String::new)).contains("x");
      assertThat(accepted.backend().hostName()).contains("imap.internal");
    }
  }

  /**
   * The service's own name is looked up again while running ({@code valid=1s} sets the interval): a move to
   * another address is followed without a restart. Here the start-up address refuses connections (nothing listens
   * on 127.0.0.2) and the name now points at the service.
   */
  @Test
  void theServicesOwnNameIsLookedUpAgainAndANewAddressFollowed() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer((name, type) -> name.equals("auth.test") && type == DnsRecordType.A
        ? FakeDnsServer.Answer.records(() -> List.of(FakeDnsServer.address(name, "127.0.0.1", 1)))
        : FakeDnsServer.Answer.code(DnsResponseCode.NXDOMAIN))) {
      client.close();
      int port = server.address().getPort();
      AuthHttpConfig config = AuthHttpConfig.single(new AuthHttpService("http://auth.test:" + port + "/auth",
          new InetSocketAddress("127.0.0.2", port), "auth.test", "/auth", false, "auth.test",
          Optional.of("auth.test"), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(30)),
          List.of(), false, AuthHttpConfig.DEFAULT_KEEPALIVE);
      client = create(config, Optional.of(new ResolverConfig(new ResolverConfig.NameServers(List.of(dns.address()),
          Optional.of(Duration.ofSeconds(1)), true, false), Duration.ofSeconds(2))));

      assertThat(unavailable(ask(request()))).contains("connect() failed");
      server.then(Reply.thenClose("HTTP/1.0 200 OK\r\n" + OK_HEADERS + "\r\n"));

      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> ask(request()) instanceof AuthResult.Accepted);
      assertThat(dns.questions()).contains("A auth.test");
    }
  }

  @Test
  void anAuthServerNameThatDoesNotResolveIsAnAuthServiceError() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer((name, type) -> FakeDnsServer.Answer.code(DnsResponseCode.NXDOMAIN))) {
      client.close();
      client = clientResolvingWith(dns);

      assertThat(unavailable(answer("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: nowhere.internal\r\n"
          + "Auth-Port: 143\r\n\r\n")))
          .startsWith("auth http server " + peer() + " sent server name \"nowhere.internal\" that could not be "
              + "resolved (");
    }
  }

  @Test
  void aSilentResolverIsBoundedByResolverTimeout() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer((name, type) -> FakeDnsServer.Answer.silence())) {
      client.close();
      client = clientResolvingWith(dns);
      long started = System.nanoTime();

      assertThat(unavailable(answer("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: slow.internal\r\n"
          + "Auth-Port: 143\r\n\r\n")))
          .contains("sent server name \"slow.internal\" that could not be resolved");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1900),
          Duration.ofMillis(4500));
    }
  }

  @Test
  void invalidOrMissingServerAndPortAreUnavailable() throws Exception {
    assertThat(unavailable(answer("Auth-Status: OK\r\nAuth-Server: mail_1.example\r\nAuth-Port: 143\r\n\r\n")))
        .isEqualTo("auth http server " + peer() + " sent invalid server address:\"mail_1.example\"");
    assertThat(unavailable(answer("Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 70000\r\n\r\n")))
        .isEqualTo("auth http server " + peer() + " sent invalid server port:\"70000\"");
    assertThat(unavailable(answer("Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\n\r\n")))
        .isEqualTo("auth http server " + peer() + " did not send server or port");
  }

  @Test
  void echoedValuesWithNulOrTooLongAreUnavailable() throws Exception {
    assertThat(unavailable(answer("Auth-Status: Bad\0login\r\n\r\n"))).endsWith("sent invalid Auth-Status");
    String sasl = "e".repeat(AuthResponseInterpreter.MAX_SASL_BYTES + 1);
    assertThat(unavailable(answer("Auth-Status: Bad\r\nAuth-Error-SASL: " + sasl + "\r\n\r\n")))
        .endsWith("sent invalid Auth-Error-SASL");
  }

  @Test
  void aTooLargeResponseIsUnavailable() throws Exception {
    String pad = "X-Pad: " + "a".repeat(AuthResponseParser.MAX_HEAD_BYTES) + "\r\n";
    assertThat(unavailable(answer("HTTP/1.0 200 OK\r\n" + pad + OK_HEADERS + "\r\n")))
        .isEqualTo("auth http server " + peer() + " sent too large response");
  }

  @Test
  void aSilentServerTimesOutAndTheAnswerArrivesOnTheEventLoop() throws Exception {
    client.close();
    client = newClient(server.address(), Duration.ofMillis(300), List.of());
    server.then(Reply.silence());
    AtomicReference<Thread> completedOn = new AtomicReference<>();
    long start = System.nanoTime();

    CompletableFuture<AuthResult> future = client.authenticate(request(), loop).toCompletableFuture();
    future.whenComplete((r, e) -> completedOn.set(Thread.currentThread()));
    AuthResult result = future.get(5, TimeUnit.SECONDS);

    assertThat(unavailable(result)).isEqualTo("auth http server " + peer() + " timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    await().atMost(Duration.ofSeconds(5)).until(() -> completedOn.get() != null);
    assertThat(completedOn.get().getName()).startsWith("auth-test");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closedConnections() == 1);
  }

  @Test
  void aRefusedConnectionIsUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    client.close();
    client = newClient(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofSeconds(5), List.of());

    assertThat(unavailable(ask(request())))
        .startsWith("auth http server 127.0.0.1:" + port + " connect() failed (")
        .containsIgnoringCase("refused");
  }

  @Test
  void aKeptAliveConnectionServesTheNextRequests() throws Exception {
    server.then(Reply.keepOpen(keepAliveOk("")))
        .then(Reply.keepOpen(keepAliveOk("ignored body")))
        .then(Reply.keepOpen(
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" + OK_HEADERS + "Content-Length: 0\r\n\r\n"))
        .then(Reply.keepOpen(keepAliveOk("")));

    for (int i = 0; i < 4; i++) {
      assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    }

    assertThat(server.requests()).hasSize(4);
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void aKeptAlive204WithoutContentLengthIsReused() throws Exception {
    // nginx's "return 204" with add_header, the auth service the nginx docs suggest: no Content-Length, no body.
    String noContent = "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n" + OK_HEADERS + "\r\n";
    server.then(Reply.keepOpen(noContent)).then(Reply.keepOpen(noContent)).then(Reply.keepOpen(noContent));

    for (int i = 0; i < 3; i++) {
      assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    }

    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void aRequestStartedOnTheEventLoopItselfWorksAndReusesTheConnection() throws Exception {
    server.then(Reply.keepOpen(keepAliveOk(""))).then(Reply.keepOpen(keepAliveOk("")));

    CompletableFuture<AuthResult> both = loop.submit(() -> client.authenticate(request(), loop)
            .thenCompose(first -> client.authenticate(request(), loop)).toCompletableFuture())
        .get(5, TimeUnit.SECONDS);

    assertThat(both.get(5, TimeUnit.SECONDS)).isInstanceOf(AuthResult.Accepted.class);
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void withoutContentLengthTheConnectionIsClosedAfterTheHeaders() throws Exception {
    server.then(Reply.keepOpen("HTTP/1.1 200 OK\r\n" + OK_HEADERS + "\r\n")).then(Reply.thenClose(OK_HEADERS + "\r\n"));

    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closedConnections() == 1);
    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);

    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void connectionCloseOrAnHttp10AnswerWithoutKeepAliveIsNotReused() throws Exception {
    server.then(Reply.keepOpen("HTTP/1.1 200 OK\r\nConnection: close\r\n" + OK_HEADERS + "Content-Length: 0\r\n\r\n"))
        .then(Reply.keepOpen("HTTP/1.0 200 OK\r\n" + OK_HEADERS + "Content-Length: 0\r\n\r\n"))
        .then(Reply.thenClose(OK_HEADERS + "\r\n"));

    for (int i = 0; i < 3; i++) {
      assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    }

    assertThat(server.connections()).isEqualTo(3);
  }

  @Test
  void aBodyOverTheLimitIsNotReadAndTheConnectionIsClosed() throws Exception {
    server.then(Reply.keepOpen("HTTP/1.1 200 OK\r\n" + OK_HEADERS + "Content-Length: 70000\r\n\r\n"));

    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);

    await().atMost(Duration.ofSeconds(5)).until(() -> server.closedConnections() == 1);
  }

  @Test
  void aPooledConnectionTheServerDropsOnTheNextRequestIsRetriedOnANewOne() throws Exception {
    server.then(Reply.keepOpen(keepAliveOk(""))).then(Reply.hangUp()).then(Reply.thenClose(
        "Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 2525\r\n\r\n"));

    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    AuthResult second = ask(request());

    assertThat(second).isInstanceOf(AuthResult.Accepted.class);
    assertThat(((AuthResult.Accepted) second).backend().first().getPort()).isEqualTo(2525);
    assertThat(server.requests()).hasSize(3);
    assertThat(server.requests().get(2)).isEqualTo(server.requests().get(1));
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void aPooledConnectionClosedByTheServerWhileIdleIsReplacedTransparently() throws Exception {
    server.then(Reply.thenClose(keepAliveOk(""))).then(Reply.thenClose(OK_HEADERS + "\r\n"));

    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closedConnections() == 1);

    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void aFreshConnectionClosedBeforeAnyAnswerIsNotRetried() throws Exception {
    server.then(Reply.hangUp());

    assertThat(unavailable(ask(request())))
        .isEqualTo("auth http server " + peer() + " closed connection prematurely");
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void withKeepaliveZeroEveryRequestHasAConnectionOfItsOwnAsInNginx() throws Exception {
    client.close();
    client = newClient(server.address(), Duration.ofSeconds(5), List.of(), 0);
    server.then(Reply.keepOpen(keepAliveOk(""))).then(Reply.keepOpen(keepAliveOk("")));

    for (int i = 0; i < 2; i++) {
      assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    }

    assertThat(server.connections()).isEqualTo(2);
    assertThat(server.requests()).allSatisfy(r ->
        assertThat(new String(r, StandardCharsets.ISO_8859_1)).doesNotContainIgnoringCase("Connection:"));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.closedConnections() == 2);
  }

  @Test
  void closeClosesPooledConnections() throws Exception {
    server.then(Reply.keepOpen(keepAliveOk("")));
    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    assertThat(server.closedConnections()).isZero();

    client.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> server.closedConnections() == 1);
  }

  @Test
  void aFullGateRefusesTheConnection() throws Exception {
    gate.limit = 0;

    assertThat(unavailable(ask(request()))).endsWith("worker_connections are not enough");
    assertThat(gate.acquired.get()).isZero();
    assertThat(server.connections()).isZero();
  }

  @Test
  void unixSocketsNeedEpoll() throws Exception {
    client.close();
    client = newClient(new DomainSocketAddress("/tmp/mailgate-auth-test.sock"), Duration.ofSeconds(1), List.of());

    assertThat(unavailable(ask(request()))).endsWith("unix sockets need the epoll transport");
  }

  @Test
  void theGateIsReleasedAfterEveryConnection() throws Exception {
    client.close();
    client = newClient(server.address(), Duration.ofMillis(300), List.of());
    server.then(Reply.keepOpen(keepAliveOk("")))
        .then(Reply.hangUp())
        .then(Reply.thenClose("HTTP/1.0 200 OK\r\n" + OK_HEADERS + "\r\n"))
        .then(Reply.thenClose("bad header\r\n\r\n"))
        .then(Reply.silence());

    assertThat(ask(request())).isInstanceOf(AuthResult.Accepted.class);
    assertThat(ask(request())).as("retried after the hang-up").isInstanceOf(AuthResult.Accepted.class);
    assertThat(unavailable(ask(request()))).endsWith("sent invalid header in response");
    assertThat(unavailable(ask(request()))).endsWith("timed out");
    assertThat(server.connections()).isEqualTo(4);
    client.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> gate.released.get() == 4);
    assertThat(gate.acquired.get()).isEqualTo(4);
  }
}
