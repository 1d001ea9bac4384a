package io.mailgate.authn.routing;

import io.mailgate.backend.BackendTarget;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a user's mailbox lives: the authenticator's answer first, else the map file (the user's line, then the
 * domain's, then {@code *}), else the server's fixed backend. Never touches a file: safe on an event loop.
 */
public final class BackendRouter {

  private final Optional<InetSocketAddress> fixed;
  private final Supplier<Optional<BackendMap>> map;

  /** A router over a map that never changes (or none). */
  public BackendRouter(Optional<InetSocketAddress> fixed, Optional<BackendMap> map) {
    this(fixed, () -> map);
  }

  private BackendRouter(Optional<InetSocketAddress> fixed, Supplier<Optional<BackendMap>> map) {
    this.fixed = fixed;
    this.map = map;
  }

  /** A router over a map file that is reloaded when it changes or on {@link ReloadingFile#reload()}. */
  public static BackendRouter reloading(Optional<InetSocketAddress> fixed, ReloadingFile<BackendMap> map) {
    return new BackendRouter(fixed, () -> Optional.of(map.current()));
  }

  /** The backend for {@code user}, or empty when nothing routes it (the login then fails as an internal error). */
  public Optional<BackendTarget> route(String user, Optional<InetSocketAddress> fromAuthenticator) {
    return fromAuthenticator.map(BackendTarget::of)
        .or(() -> map.get().flatMap(m -> m.lookup(user)))
        .or(() -> fixed.map(BackendTarget::of));
  }
}
