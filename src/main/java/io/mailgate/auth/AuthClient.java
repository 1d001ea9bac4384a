package io.mailgate.auth;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletionStage;

/** Asks an auth service about one login. Implementations never block the calling event loop. */
public interface AuthClient {

  /**
   * Sends {@code request} and completes with the outcome, on {@code loop} (the client session's event loop).
   * Never completes exceptionally: failures are {@link AuthResult.Unavailable}.
   */
  CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop);

  /** Closes pooled connections; called at shutdown. */
  default void close() {}
}
