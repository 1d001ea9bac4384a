package io.mailgate.auth;

import io.mailgate.backend.BackendTarget;
import io.mailgate.config.BackendTlsConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/** The auth service's answer, as one of four outcomes (nginx's auth_http response, section 3.5/3.6). */
public sealed interface AuthResult {

  /**
   * {@code Auth-Status: OK} (or no Auth-Status at all): log in to {@code backend}.
   *
   * @param backend {@code Auth-Server}:{@code Auth-Port} (the built-in authenticators: the backend map's addresses),
   *     tried in order
   * @param user {@code Auth-User}, replacing the client's login towards the backend
   * @param pass {@code Auth-Pass}, replacing the client's secret towards the backend
   * @param saslError {@code Auth-Error-SASL} if the service sent one anyway (ignored unless in Fastmail mode)
   * @param requiredTls {@code Auth-Proxy-SSL: on|starttls} (mailgate's own): this login must reach the backend over
   *     TLS, whatever {@code proxy_ssl} says; it can only add TLS, never remove it or its verification
   * @param tlsName {@code Auth-Proxy-SSL-Name} (mailgate's own): the name the backend's certificate must carry
   */
  record Accepted(BackendTarget backend, Optional<byte[]> user, Optional<byte[]> pass, Optional<String> saslError,
      Optional<BackendTlsConfig.Mode> requiredTls, Optional<String> tlsName)
      implements AuthResult {

    /** Accepted with no TLS demands. */
    public Accepted(BackendTarget backend, Optional<byte[]> user, Optional<byte[]> pass,
        Optional<String> saslError) {
      this(backend, user, pass, saslError, Optional.empty(), Optional.empty());
    }

    /** The same answer with {@code resolved} as its backend (an {@code Auth-Server} name's addresses). */
    public Accepted withBackend(BackendTarget resolved) {
      return new Accepted(resolved, user, pass, saslError, requiredTls, tlsName);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Accepted a
          && a.backend.equals(backend)
          && Arrays.equals(a.user.orElse(null), user.orElse(null))
          && Arrays.equals(a.pass.orElse(null), pass.orElse(null))
          && a.saslError.equals(saslError)
          && a.requiredTls.equals(requiredTls)
          && a.tlsName.equals(tlsName);
    }

    @Override
    public int hashCode() {
      return backend.hashCode();
    }

    /** Never prints Auth-Pass. */
    @Override
    public String toString() {
      return "Accepted[backend=" + backend + ", user=" + user.map(String::new).orElse("-")
          + ", pass=" + (pass.isPresent() ? "******" : "-") + "]";
    }
  }

  /**
   * {@code Auth-Status: <text>}: the login failed.
   *
   * @param message the Auth-Status text, checked: no CR, LF or NUL, bounded length
   * @param errorCode {@code Auth-Error-Code} (SMTP reply code replacing {@code 535 5.7.0})
   * @param authWait {@code Auth-Wait}: delay the reply and keep the session; absent or zero closes after the reply
   * @param saslError {@code Auth-Error-SASL}: the RFC 7628 error challenge (OAuth mechanisms only), checked
   */
  record Rejected(String message, Optional<String> errorCode, Optional<Duration> authWait, Optional<String> saslError)
      implements AuthResult {}

  /** {@code Auth-Status: WAIT}: ask again, after {@code authWait} (immediately when absent). */
  record Retry(Optional<Duration> authWait) implements AuthResult {}

  /**
   * The service could not be asked or answered nonsense (down, timed out, garbage, too large, bad server address).
   * The client gets the protocol's internal-error reply.
   *
   * @param kind what went wrong, from a small fixed set (the auth error metric's label)
   * @param reason for the error log, e.g. {@code auth http server 127.0.0.1:8080 timed out}
   */
  record Unavailable(Kind kind, String reason) implements AuthResult {

    /** Unavailable for a reason none of the other kinds names. */
    public Unavailable(String reason) {
      this(Kind.OTHER, reason);
    }

    /** Why the service could not answer; bounded, so that it can be a metric label. */
    public enum Kind {
      /** It could not be reached: connect() failed, or the connection broke before the answer. */
      CONNECT,
      /** It did not answer (or accept the connection) within the timeout. */
      TIMEOUT,
      /** It answered something that is not a valid answer (bad HTTP, bad header, too large, bad Auth-Server). */
      INVALID_RESPONSE,
      /** The TLS handshake with an {@code https://} service failed (certificate not trusted, wrong name, alert). */
      TLS,
      /** It answered an HTTP 5xx status without {@code Auth-Status} (an error page, not an answer). */
      SERVER_ERROR,
      /** mailgate had no room for the question ({@code worker_connections}, a full verifier pool). */
      OVERLOADED,
      /** mailgate is stopping. */
      SHUTTING_DOWN,
      /** Anything else (a configuration that cannot serve the login, a failed check). */
      OTHER;

      /** The label value: {@code connect}, {@code timeout}, ... */
      public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
      }
    }
  }
}
