package io.mailgate.authn.users;

import io.mailgate.auth.AuthClient;
import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.authn.routing.BackendRouter;
import io.mailgate.log.Sanitize;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.netty.channel.EventLoop;
import io.mailgate.backend.BackendTarget;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AuthClient} for password logins (SASL PLAIN and LOGIN, IMAP LOGIN, POP3 USER/PASS) against the users file.
 * Lookups and hashing run on {@code executor}, a small bounded pool the caller owns (hashing is CPU-heavy by design);
 * results complete on the session's event loop. On success the client's own login and password go to the backend.
 */
public final class UsersFileAuthClient implements AuthClient {

  private static final Logger LOG = LoggerFactory.getLogger(UsersFileAuthClient.class);
  // One answer for an unknown user and a wrong password, so the reply does not reveal which users exist. The wait
  // slows guessing while keeping the session open, as nginx deployments configure Auth-Wait.
  static final AuthResult.Rejected INVALID = new AuthResult.Rejected(
      "Invalid login or password", Optional.empty(), Optional.of(Duration.ofSeconds(1)), Optional.empty());

  private final UsersDirectory users;
  private final BackendRouter router;
  private final Executor executor;
  private final PasswordVerifier verifier;

  /**
   * Creates the client.
   *
   * @param router where an accepted user's mailbox lives (the users file's backend column is passed as the
   *     authenticator's answer, so it wins over the map and the fixed backend)
   * @param executor the verifier pool; the caller owns it and shuts it down
   */
  public UsersFileAuthClient(UsersDirectory users, BackendRouter router, Executor executor) {
    this(users, router, executor, PasswordHashes::verify);
  }

  UsersFileAuthClient(UsersDirectory users, BackendRouter router, Executor executor, PasswordVerifier verifier) {
    this.users = users;
    this.router = router;
    this.executor = executor;
    this.verifier = verifier;
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop) {
    CompletableFuture<AuthResult> result = new CompletableFuture<>();
    Credentials credentials = request.credentials();
    Mechanism mechanism = credentials.mechanism();
    if (mechanism != Mechanism.PLAIN && mechanism != Mechanism.LOGIN) {
      completeOn(loop, result,
          new AuthResult.Unavailable("users file cannot check " + mechanism.saslName() + " logins"));
      return result;
    }
    try {
      executor.execute(() -> completeOn(loop, result, check(credentials)));
    } catch (RejectedExecutionException e) {
      completeOn(loop, result, new AuthResult.Unavailable(AuthResult.Unavailable.Kind.OVERLOADED,
          "users file: password verifier pool refused the login"));
    }
    return result;
  }

  // Runs on the executor: file checks and hashing stay off the event loop.
  private AuthResult check(Credentials credentials) {
    byte[] password = credentials.secret();
    try {
      UsersFile file = users.snapshot();
      Optional<UserEntry> entry = utf8(credentials.login()).flatMap(file::find);
      if (entry.isEmpty()) {
        // Same work as a wrong password, so timing does not reveal which users exist; the outcome is discarded.
        verifier.verify(file.timingDummyHash(), password);
        LOG.debug("users file: unknown user {}", Sanitize.forLog(credentials.loginText(), 160));
        return INVALID;
      }
      UserEntry user = entry.get();
      if (!verifier.verify(user.hash(), password)) {
        LOG.debug("users file: wrong password for user {}", user.user());
        return INVALID;
      }
      Optional<BackendTarget> backend = router.route(user.user(), user.backend());
      if (backend.isEmpty()) {
        return new AuthResult.Unavailable("users file: no backend for user " + user.user());
      }
      return new AuthResult.Accepted(backend.get(), Optional.empty(), Optional.empty(), Optional.empty());
    } catch (RuntimeException e) {
      LOG.error("users file: login check failed", e);
      return new AuthResult.Unavailable("users file: login check failed: " + e.getClass().getSimpleName());
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  // A login that is not UTF-8 cannot name any user of the (UTF-8) users file.
  private static Optional<String> utf8(byte[] login) {
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(login))
          .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static void completeOn(EventLoop loop, CompletableFuture<AuthResult> future, AuthResult result) {
    if (loop.inEventLoop()) {
      future.complete(result);
      return;
    }
    try {
      loop.execute(() -> future.complete(result));
    } catch (RejectedExecutionException e) {
      // The loop is shutting down: nobody is left to care which thread completes the future.
      future.complete(result);
    }
  }
}
