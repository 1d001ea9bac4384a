package io.mailgate.authn.oauth;

import io.mailgate.backend.BackendTarget;
import static io.mailgate.authn.oauth.TestTokens.ISSUER;
import static io.mailgate.authn.oauth.TestTokens.JWKS;
import static io.mailgate.authn.oauth.TestTokens.RSA1;
import static io.mailgate.authn.oauth.TestTokens.claims;
import static io.mailgate.authn.oauth.TestTokens.rs256;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BearerTokenAuthClientTest {

  private static final InetSocketAddress BACKEND = new InetSocketAddress("192.0.2.25", 143);
  private static EventLoopGroup group;

  private final FakeFetcher fetcher = new FakeFetcher().json(JWKS, TestTokens.jwks(RSA1));
  private final TokenValidator validator = new TokenValidator(
      OAuthSettings.builder().jwksUri(JWKS).issuer(ISSUER).build(), fetcher,
      Clock.fixed(TestTokens.NOW, ZoneOffset.UTC));
  private final BearerTokenAuthClient client = new BearerTokenAuthClient(validator,
      user -> user.endsWith("@example.com") ? Optional.of(BackendTarget.of(BACKEND)) : Optional.empty());

  @BeforeAll
  static void startLoop() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopLoop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static AuthRequest request(Mechanism mechanism, String login, String secret) {
    return new AuthRequest(Credentials.of(mechanism, login.getBytes(StandardCharsets.UTF_8),
        secret.getBytes(StandardCharsets.UTF_8)), "imap", 1, "192.0.2.7", Optional.empty(), List.of());
  }

  /** Authenticates and checks the answer arrives on the session's loop. */
  private AuthResult authenticate(AuthRequest request) {
    EventLoop loop = group.next();
    AtomicBoolean onLoop = new AtomicBoolean();
    CompletableFuture<AuthResult> done = new CompletableFuture<>();
    // The loop is held until the observer below is attached, so the completion cannot have happened already.
    CountDownLatch attached = new CountDownLatch(1);
    loop.execute(() -> awaitQuietly(attached));
    client.authenticate(request, loop).whenComplete((r, e) -> {
      onLoop.set(loop.inEventLoop());
      done.complete(r);
    });
    attached.countDown();
    AuthResult result = done.orTimeout(5, TimeUnit.SECONDS).join();
    assertThat(onLoop).as("completed on the session's event loop").isTrue();
    return result;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aValidTokenIsAcceptedForTheTokensUserWithoutAnAuthPass() {
    AuthResult r = authenticate(request(Mechanism.OAUTHBEARER, "", rs256(claims().build())));

    assertThat(r).isEqualTo(new AuthResult.Accepted(BackendTarget.of(BACKEND),
        Optional.of("alice@example.com".getBytes(StandardCharsets.UTF_8)), Optional.empty(), Optional.empty()));
  }

  @Test
  void xoauth2WithTheMatchingUserIsAccepted() {
    AuthResult r = authenticate(request(Mechanism.XOAUTH2, "alice@example.com", rs256(claims().build())));

    assertThat(r).isInstanceOf(AuthResult.Accepted.class);
  }

  @Test
  void anInvalidTokenIsRejectedWithTheErrorChallengeAndAWait() {
    AuthResult r = authenticate(request(Mechanism.XOAUTH2, "bob@example.com", rs256(claims().build())));

    assertThat(r).isEqualTo(new AuthResult.Rejected("invalid token", Optional.empty(),
        Optional.of(Duration.ofSeconds(1)), Optional.of("eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=")));
  }

  @Test
  void aUserWithoutBackendIsATemporaryFailure() {
    AuthResult r = authenticate(request(Mechanism.OAUTHBEARER, "",
        rs256(claims().claim("email", "carol@elsewhere.example").build())));

    assertThat(r).isEqualTo(new AuthResult.Unavailable("oauth: no backend for user carol@elsewhere.example"));
  }

  @Test
  void anUnreachableProviderIsATemporaryFailure() {
    fetcher.down(JWKS);

    assertThat(authenticate(request(Mechanism.OAUTHBEARER, "", rs256(claims().build()))))
        .isInstanceOf(AuthResult.Unavailable.class);
  }

  @Test
  void aPasswordLoginIsNotThisClientsBusiness() {
    assertThat(client.authenticate(request(Mechanism.PLAIN, "alice", "pw"), group.next()).toCompletableFuture()
        .join()).isEqualTo(new AuthResult.Unavailable("oauth authenticator got a PLAIN login"));
    assertThat(fetcher.calls(JWKS)).isZero();
  }
}
