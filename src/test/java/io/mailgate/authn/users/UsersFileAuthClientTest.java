package io.mailgate.authn.users;

import io.mailgate.backend.BackendTarget;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.authn.routing.BackendRouter;
import io.mailgate.authn.routing.HostPort;
import io.mailgate.authn.routing.ManualClock;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UsersFileAuthClientTest {

  // openssl passwd -6 -salt abc secret; libxcrypt $2y$ of "secret"
  private static final String ALICE_HASH = UsersFileTest.ALICE_HASH;
  private static final String BOB_HASH = UsersFileTest.BOB_HASH;
  private static final InetSocketAddress FIXED = HostPort.parse("192.0.2.1:143");
  private static final InetSocketAddress BOB_BACKEND = HostPort.parse("192.0.2.2:143");

  private static MultiThreadIoEventLoopGroup group;
  private static EventLoop loop;

  @TempDir
  Path dir;

  private ExecutorService pool;
  private UsersDirectory users;
  private final List<String> verifiedHashes = new CopyOnWriteArrayList<>();
  private final List<Thread> hashingThreads = new CopyOnWriteArrayList<>();

  // Records each verification (hash and thread), then runs the real one.
  private final PasswordVerifier recording = (hash, password) -> {
    verifiedHashes.add(hash);
    hashingThreads.add(Thread.currentThread());
    return PasswordHashes.verify(hash, password);
  };

  @BeforeAll
  static void startLoop() {
    group = Transport.nio(Optional.empty()).newGroup(1, "t");
    loop = group.next();
  }

  @AfterAll
  static void stopLoop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @BeforeEach
  void writeUsers() throws Exception {
    Path file = dir.resolve("users");
    Files.writeString(file, "alice:" + ALICE_HASH + "\nbob:" + BOB_HASH + ":192.0.2.2:143\n");
    pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "verifier"));
    users = new UsersDirectory(file, pool, new ManualClock());
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private UsersFileAuthClient client(Optional<InetSocketAddress> fixed) {
    return new UsersFileAuthClient(users, new BackendRouter(fixed, Optional.empty()), pool, recording);
  }

  private static AuthRequest request(Mechanism mechanism, byte[] login, String password) {
    return new AuthRequest(Credentials.of(mechanism, login, password.getBytes(UTF_8)), "imap", 1, "127.0.0.1",
        Optional.empty(), List.of());
  }

  private static AuthRequest request(String login, String password) {
    return request(Mechanism.PLAIN, login.getBytes(UTF_8), password);
  }

  /** The outcome and the thread that completed it. */
  private record Outcome(AuthResult result, Thread thread) {}

  // The loop is held busy until the test has attached its callback: a result completed on the loop cannot arrive
  // before that, so the callback runs on the completing thread, whichever it is, and never on the test's by accident.
  private Outcome authenticate(UsersFileAuthClient client, AuthRequest request) throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        attached.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AtomicReference<Thread> completer = new AtomicReference<>();
    CompletableFuture<AuthResult> future = client.authenticate(request, loop).toCompletableFuture()
        .whenComplete((r, e) -> completer.set(Thread.currentThread()));
    attached.countDown();
    AuthResult result = future.get(5, TimeUnit.SECONDS);
    return new Outcome(result, completer.get());
  }

  @Test
  void acceptsTheRightPasswordHashingOffTheLoopAndCompletingOnIt() throws Exception {
    Outcome outcome = authenticate(client(Optional.of(FIXED)), request("alice", "secret"));

    assertThat(outcome.result())
        .isEqualTo(new AuthResult.Accepted(BackendTarget.of(FIXED), Optional.empty(), Optional.empty(), Optional.empty()));
    assertThat(loop.inEventLoop(outcome.thread())).as("completed on the session's loop").isTrue();
    assertThat(hashingThreads).singleElement().satisfies(t -> {
      assertThat(loop.inEventLoop(t)).as("hashed off the loop").isFalse();
      assertThat(t.getName()).isEqualTo("verifier");
    });
    assertThat(verifiedHashes).containsExactly(ALICE_HASH);
  }

  @Test
  void acceptsSaslLoginToo() throws Exception {
    Outcome outcome = authenticate(client(Optional.of(FIXED)), request(Mechanism.LOGIN, "alice".getBytes(UTF_8),
        "secret"));

    assertThat(outcome.result()).isInstanceOf(AuthResult.Accepted.class);
  }

  @Test
  void theUsersFileBackendWinsOverTheServersFixedOne() throws Exception {
    Outcome outcome = authenticate(client(Optional.of(FIXED)), request("bob", "secret"));

    assertThat(outcome.result())
        .isEqualTo(new AuthResult.Accepted(BackendTarget.of(BOB_BACKEND), Optional.empty(), Optional.empty(), Optional.empty()));
    assertThat(verifiedHashes).containsExactly(BOB_HASH);
  }

  @Test
  void aRightPasswordWithNowhereToGoIsAnInternalError() throws Exception {
    Outcome outcome = authenticate(client(Optional.empty()), request("alice", "secret"));

    assertThat(outcome.result()).isEqualTo(new AuthResult.Unavailable("users file: no backend for user alice"));
    assertThat(loop.inEventLoop(outcome.thread())).isTrue();
  }

  @Test
  void rejectsAWrongPasswordWithAWaitAndKeepsTheSession() throws Exception {
    Outcome outcome = authenticate(client(Optional.of(FIXED)), request("alice", "Secret"));

    assertThat(outcome.result()).isEqualTo(new AuthResult.Rejected(
        "Invalid login or password", Optional.empty(), Optional.of(Duration.ofSeconds(1)), Optional.empty()));
    assertThat(loop.inEventLoop(outcome.thread())).isTrue();
    assertThat(verifiedHashes).containsExactly(ALICE_HASH);
  }

  @Test
  void rejectsAnUnknownUserAfterVerifyingTheDummyHashLikeAWrongPassword() throws Exception {
    Outcome outcome = authenticate(client(Optional.of(FIXED)), request("mallory", "secret"));

    assertThat(outcome.result()).isEqualTo(UsersFileAuthClient.INVALID);
    assertThat(verifiedHashes).as("one hash computed, the file's first usable one").containsExactly(ALICE_HASH);
    assertThat(loop.inEventLoop(hashingThreads.get(0))).isFalse();
    assertThat(loop.inEventLoop(outcome.thread())).isTrue();
  }

  @Test
  void rejectsALoginThatIsNotUtf8AfterTheDummyVerification() throws Exception {
    Outcome outcome = authenticate(client(Optional.of(FIXED)),
        request(Mechanism.PLAIN, new byte[] {'a', (byte) 0xff}, "secret"));

    assertThat(outcome.result()).isEqualTo(UsersFileAuthClient.INVALID);
    assertThat(verifiedHashes).containsExactly(ALICE_HASH);
  }

  @ParameterizedTest
  @EnumSource(value = Mechanism.class, names = {"APOP", "CRAM_MD5", "EXTERNAL", "XOAUTH2", "OAUTHBEARER", "NONE"})
  void cannotCheckLoginsThatCarryNoPassword(Mechanism mechanism) throws Exception {
    Outcome outcome = authenticate(client(Optional.of(FIXED)), request(mechanism, "alice".getBytes(UTF_8), "x"));

    assertThat(outcome.result())
        .isEqualTo(new AuthResult.Unavailable("users file cannot check " + mechanism.saslName() + " logins"));
    assertThat(verifiedHashes).isEmpty();
    assertThat(loop.inEventLoop(outcome.thread())).isTrue();
  }

  @Test
  void leavesTheClientsPasswordIntactForTheBackendLogin() throws Exception {
    AuthRequest request = request("alice", "secret");

    authenticate(client(Optional.of(FIXED)), request);

    assertThat(request.credentials().secret()).isEqualTo("secret".getBytes(UTF_8));
  }

  @Test
  void aVerifierFailureIsAnInternalErrorNotAnExceptionalFuture() throws Exception {
    UsersFileAuthClient client = new UsersFileAuthClient(users, new BackendRouter(Optional.of(FIXED),
        Optional.empty()), pool, (hash, password) -> {
          throw new IllegalStateException("boom");
        });

    Outcome outcome = authenticate(client, request("alice", "secret"));

    assertThat(outcome.result()).isInstanceOf(AuthResult.Unavailable.class);
    assertThat(loop.inEventLoop(outcome.thread())).isTrue();
  }

  @Test
  void aShutDownPoolIsAnInternalError() throws Exception {
    pool.shutdown();

    Outcome outcome = authenticate(client(Optional.of(FIXED)), request("alice", "secret"));

    assertThat(outcome.result())
        .isEqualTo(new AuthResult.Unavailable(AuthResult.Unavailable.Kind.OVERLOADED,
            "users file: password verifier pool refused the login"));
    assertThat(loop.inEventLoop(outcome.thread())).isTrue();
  }

  @Test
  void usesThePublicConstructorsRealVerifier() throws Exception {
    UsersFileAuthClient client = new UsersFileAuthClient(users, new BackendRouter(Optional.of(FIXED),
        Optional.empty()), pool);

    AuthResult right = client.authenticate(request("bob", "secret"), loop).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    AuthResult wrong = client.authenticate(request("bob", "secreT"), loop).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);

    assertThat(right).isInstanceOf(AuthResult.Accepted.class);
    assertThat(wrong).isEqualTo(UsersFileAuthClient.INVALID);
  }
}
