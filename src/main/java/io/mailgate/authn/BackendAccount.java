package io.mailgate.authn;

import io.mailgate.auth.AuthClient;
import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Rewrites the backend account of accepted logins, after the delegate has checked the client: the backend trusts the
 * proxy, so the client's own secret (or a bearer token) never has to be a backend password. Two uses:
 * {@link #sharedSecret} (the demo mail store: same user, the proxy's secret unless the auth service sent
 * {@code Auth-Pass}) and {@link #masterUser} (Dovecot master users: {@code <user>*<master>} with the master password,
 * always). The secret is never logged and never printed.
 */
public final class BackendAccount implements AuthClient {

  /** Dovecot's default {@code auth_master_user_separator}. */
  static final byte MASTER_SEPARATOR = '*';

  private final AuthClient delegate;
  private final Optional<byte[]> masterSuffix;
  private final byte[] secret;
  private final boolean overridesAuthPass;

  private BackendAccount(AuthClient delegate, Optional<byte[]> masterSuffix, byte[] secret, boolean overridesAuthPass) {
    this.delegate = delegate;
    this.masterSuffix = masterSuffix;
    this.secret = secret.clone();
    this.overridesAuthPass = overridesAuthPass;
  }

  /** Accepted logins of {@code delegate} without {@code Auth-Pass} go to the backend with {@code secret}. */
  public static BackendAccount sharedSecret(AuthClient delegate, byte[] secret) {
    return new BackendAccount(delegate, Optional.empty(), secret, false);
  }

  /**
   * Accepted logins of {@code delegate} go to the backend as {@code <user>*<masterUser>} with {@code masterPassword}
   * (Dovecot's master-user login), where user is {@code Auth-User} or the client's login.
   */
  public static BackendAccount masterUser(AuthClient delegate, String masterUser, byte[] masterPassword) {
    byte[] name = masterUser.getBytes(StandardCharsets.UTF_8);
    byte[] suffix = new byte[name.length + 1];
    suffix[0] = MASTER_SEPARATOR;
    System.arraycopy(name, 0, suffix, 1, name.length);
    return new BackendAccount(delegate, Optional.of(suffix), masterPassword, true);
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request, EventLoop loop) {
    return delegate.authenticate(request, loop).thenApply(result -> {
      if (result instanceof AuthResult.Accepted accepted) {
        return rewrite(accepted, request);
      }
      return result;
    });
  }

  private AuthResult rewrite(AuthResult.Accepted accepted, AuthRequest request) {
    if (accepted.pass().isPresent() && !overridesAuthPass) {
      return accepted;
    }
    Optional<byte[]> user = accepted.user();
    if (masterSuffix.isPresent()) {
      byte[] login = accepted.user().orElseGet(() -> request.credentials().login());
      if (login.length == 0) {
        // Nobody to log in as (SMTP's smtp_auth none): the backend login sends no credentials at all.
        return accepted;
      }
      if (indexOf(login, MASTER_SEPARATOR) >= 0) {
        // The backend splits at the separator: such a login would name another user or another master.
        return new AuthResult.Unavailable("login \"" + new String(login, StandardCharsets.UTF_8)
            + "\" contains the master user separator \"*\"");
      }
      byte[] suffix = masterSuffix.get();
      byte[] combined = new byte[login.length + suffix.length];
      System.arraycopy(login, 0, combined, 0, login.length);
      System.arraycopy(suffix, 0, combined, login.length, suffix.length);
      user = Optional.of(combined);
    }
    return new AuthResult.Accepted(accepted.backend(), user, Optional.of(secret.clone()), accepted.saslError(),
        accepted.requiredTls(), accepted.tlsName());
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "BackendAccount[" + delegate + masterSuffix.map(s -> ", master=" + new String(s, 1, s.length - 1,
        StandardCharsets.UTF_8)).orElse("") + ", secret=******]";
  }
}
