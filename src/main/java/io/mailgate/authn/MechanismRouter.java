package io.mailgate.authn;

import io.mailgate.auth.AuthClient;
import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.sasl.Mechanism;
import io.netty.channel.EventLoop;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Chains a server's authenticators by mechanism: bearer tokens (OAUTHBEARER, XOAUTH2) to the token validator,
 * passwords (PLAIN, LOGIN, IMAP LOGIN, POP3 USER/PASS) to the users file, and every other login (CRAM-MD5, APOP,
 * EXTERNAL, SMTP's {@code none}) to {@code auth_http}; when a built-in one is missing, {@code auth_http} takes its
 * logins. A login nobody can check is a temporary failure, logged.
 */
public final class MechanismRouter implements AuthClient {

  private final Optional<AuthClient> tokens;
  private final Optional<AuthClient> passwords;
  private final Optional<AuthClient> authHttp;

  /** A router over whichever authenticators the server has. */
  public MechanismRouter(Optional<AuthClient> tokens, Optional<AuthClient> passwords, Optional<AuthClient> authHttp) {
    this.tokens = tokens;
    this.passwords = passwords;
    this.authHttp = authHttp;
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop) {
    Mechanism mechanism = request.credentials().mechanism();
    Optional<AuthClient> builtIn = mechanism.isOAuth() ? tokens
        : mechanism == Mechanism.PLAIN || mechanism == Mechanism.LOGIN ? passwords
        : Optional.empty();
    Optional<AuthClient> chosen = builtIn.or(() -> authHttp);
    if (chosen.isEmpty()) {
      return CompletableFuture.completedFuture(new AuthResult.Unavailable(
          "no authenticator for " + mechanism.saslName() + " logins (no \"auth_http\" and no built-in one)"));
    }
    return chosen.get().authenticate(request, loop);
  }

  @Override
  public void close() {
    tokens.ifPresent(AuthClient::close);
    passwords.ifPresent(AuthClient::close);
    authHttp.ifPresent(AuthClient::close);
  }
}
