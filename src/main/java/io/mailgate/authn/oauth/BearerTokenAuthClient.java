package io.mailgate.authn.oauth;

import io.mailgate.auth.AuthClient;
import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.sasl.Credentials;
import io.netty.channel.EventLoop;
import io.mailgate.backend.BackendTarget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates OAUTHBEARER and XOAUTH2 logins by checking the bearer token itself, in place of an auth_http
 * service, and routes the token's user with a lookup function.
 */
public final class BearerTokenAuthClient implements AuthClient {

  private static final Logger log = LoggerFactory.getLogger(BearerTokenAuthClient.class);

  /** Keep the session after a bad token, as nginx does with {@code Auth-Wait}: the client may retry. */
  static final Duration REJECT_WAIT = Duration.ofSeconds(1);

  private final TokenValidator validator;
  private final Function<String, Optional<BackendTarget>> router;

  /** A client checking tokens with {@code validator} and finding backends with {@code router}. */
  public BearerTokenAuthClient(TokenValidator validator, Function<String, Optional<BackendTarget>> router) {
    this.validator = validator;
    this.router = router;
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop) {
    Credentials credentials = request.credentials();
    if (!credentials.mechanism().isOAuth()) {
      return CompletableFuture.completedFuture(
          new AuthResult.Unavailable("oauth authenticator got a " + credentials.mechanism().saslName() + " login"));
    }
    byte[] secret = credentials.secret();
    String token = new String(secret, StandardCharsets.UTF_8);
    Arrays.fill(secret, (byte) 0);
    String saslUser = credentials.loginText();
    CompletableFuture<AuthResult> onLoop = new CompletableFuture<>();
    validator.validate(token, Optional.of(saslUser).filter(u -> !u.isEmpty()))
        .handle((result, error) -> error != null
            ? new AuthResult.Unavailable("oauth: " + KeySetCache.describe(error))
            : toAuthResult(result, request))
        .thenAccept(result -> completeOn(loop, onLoop, result));
    return onLoop;
  }

  private AuthResult toAuthResult(TokenResult result, AuthRequest request) {
    if (result instanceof TokenResult.Valid v) {
      String user = v.identity().user();
      Optional<BackendTarget> backend = router.apply(user);
      if (backend.isEmpty()) {
        return new AuthResult.Unavailable("oauth: no backend for user " + user);
      }
      // Auth-User is the token's user, so the backend login names them; no Auth-Pass: the token is passed through.
      return new AuthResult.Accepted(backend.get(), Optional.of(user.getBytes(StandardCharsets.UTF_8)),
          Optional.empty(), Optional.empty());
    }
    if (result instanceof TokenResult.Invalid i) {
      log.info("oauth token rejected, client: {}, login: \"{}\": {}", request.clientIp(),
          request.credentials().loginText(), i.logReason());
      return new AuthResult.Rejected("invalid token", Optional.empty(), Optional.of(REJECT_WAIT),
          Optional.of(i.errorJsonBase64()));
    }
    return new AuthResult.Unavailable(((TokenResult.Unavailable) result).reason());
  }

  private static void completeOn(EventLoop loop, CompletableFuture<AuthResult> future, AuthResult result) {
    if (loop.inEventLoop()) {
      future.complete(result);
      return;
    }
    try {
      loop.execute(() -> future.complete(result));
    } catch (RejectedExecutionException e) {
      // The loop is shutting down; its session is gone, but the future must not dangle.
      future.complete(result);
    }
  }
}
