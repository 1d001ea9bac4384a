package io.mailgate.backend;

import io.mailgate.sasl.Mechanism;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * What one backend login authenticates with: a login and password, or, with {@code proxy_backend_login token}, the
 * client's bearer token to pass on with the client's own mechanism. Protocol-neutral: each protocol's
 * {@link BackendLogin} puts these on its wire. Holds copies; {@link #wipe()} overwrites the secrets, and
 * {@link #toString()} never shows them.
 */
public final class BackendCredentials {

  private final byte[] user;
  private final byte[] password;
  private final Optional<TokenLogin> token;

  private BackendCredentials(byte[] user, byte[] password, Optional<TokenLogin> token) {
    this.user = user.clone();
    this.password = password.clone();
    this.token = token;
  }

  /** A password login ({@code Auth-User}/{@code Auth-Pass}, or the client's own). */
  public static BackendCredentials password(byte[] user, byte[] password) {
    return new BackendCredentials(user, password, Optional.empty());
  }

  /** A bearer-token login of {@code user} with {@code mechanism} (XOAUTH2 or OAUTHBEARER); there is no password. */
  public static BackendCredentials token(byte[] user, Mechanism mechanism, byte[] token) {
    return new BackendCredentials(user, new byte[0], Optional.of(new TokenLogin(mechanism, token)));
  }

  /** The login towards the backend (a copy). */
  public byte[] user() {
    return user.clone();
  }

  /** The password towards the backend (a copy); empty for a token login. */
  public byte[] password() {
    return password.clone();
  }

  /** The token and its mechanism, for a token login. */
  public Optional<TokenLogin> token() {
    return token;
  }

  /** Overwrites the password and the token in place, best effort. */
  public void wipe() {
    Arrays.fill(password, (byte) 0);
    token.ifPresent(TokenLogin::wipe);
  }

  /** Never prints a secret. */
  @Override
  public String toString() {
    return "BackendCredentials[user=" + new String(user, StandardCharsets.UTF_8)
        + token.map(t -> ", " + t).orElse(", password=******") + "]";
  }

  /** A bearer token and the SASL mechanism (XOAUTH2 or OAUTHBEARER) the client presented it with. */
  public static final class TokenLogin {

    private final Mechanism mechanism;
    private final byte[] token;

    /** A token login; {@code mechanism} must be a bearer-token mechanism. */
    public TokenLogin(Mechanism mechanism, byte[] token) {
      if (!mechanism.isOAuth()) {
        throw new IllegalArgumentException("not a bearer-token mechanism: " + mechanism.saslName());
      }
      this.mechanism = mechanism;
      this.token = token.clone();
    }

    /** XOAUTH2 or OAUTHBEARER. */
    public Mechanism mechanism() {
      return mechanism;
    }

    /** The bearer token (a copy). */
    public byte[] token() {
      return token.clone();
    }

    /** Overwrites the token in place, best effort. */
    public void wipe() {
      Arrays.fill(token, (byte) 0);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
      return "TokenLogin[" + mechanism.saslName() + ", token=******]";
    }
  }
}
