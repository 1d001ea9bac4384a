package io.mailgate.authn;

import io.mailgate.auth.AuthClient;
import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.netty.channel.EventLoop;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Logs in to the backend with a master password instead of the client's own credentials ({@code Auth-Pass} style):
 * the backend trusts the proxy, and a bearer token never has to be a backend password. Used by the demo mail store;
 * the secret never leaves the process and is never logged.
 */
public final class BackendPassword implements AuthClient {

  private final AuthClient delegate;
  private final byte[] secret;

  /** Accepted logins of {@code delegate} go to the backend with {@code secret} as their password. */
  public BackendPassword(AuthClient delegate, byte[] secret) {
    this.delegate = delegate;
    this.secret = secret.clone();
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop) {
    return delegate.authenticate(request, loop).thenApply(result -> {
      if (result instanceof AuthResult.Accepted accepted && accepted.pass().isEmpty()) {
        return new AuthResult.Accepted(accepted.backend(), accepted.user(), Optional.of(secret.clone()),
            accepted.saslError(), accepted.requiredTls(), accepted.tlsName());
      }
      return result;
    });
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "BackendPassword[" + delegate + ", secret=******]";
  }
}
