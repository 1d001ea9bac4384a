package io.mailgate.auth;

import io.mailgate.auth.AuthResult.Unavailable.Kind;
import io.mailgate.backend.BackendTarget;
import io.mailgate.config.BackendTlsConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a parsed auth_http response head into an {@link AuthResult} (reference §3.5, §3.6). Texts that reach mail
 * clients (Auth-Status, Auth-Error-Code, Auth-Error-SASL) are checked first, so a broken auth service cannot
 * inject protocol lines: a bad one makes the whole answer {@link AuthResult.Unavailable}.
 */
final class AuthResponseInterpreter {

  /** Longest Auth-Status text and Auth-Error-Code echoed to a client. */
  static final int MAX_TEXT_BYTES = 4096;
  /** Longest Auth-Error-SASL: a base64 RFC 7628 JSON error can be long. */
  static final int MAX_SASL_BYTES = 12288;

  /**
   * An SMTP reply code, optionally with an RFC 3463 enhanced status code. nginx copies any value into the reply
   * line; we refuse anything else (the answer becomes Unavailable) rather than send a malformed SMTP reply.
   */
  private static final Pattern ERROR_CODE = Pattern.compile("[0-9]{3}( [0-9]\\.[0-9]{1,3}\\.[0-9]{1,3})?");

  /** A DNS name (or an IP literal) a certificate can be checked against. */
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.:-]{0,252}[A-Za-z0-9])?");

  private static final byte[] OK = {'O', 'K'};
  private static final byte[] WAIT = {'W', 'A', 'I', 'T'};

  private AuthResponseInterpreter() {}

  /** The outcome of {@code response}; {@code peer} names the auth server in failure reasons. */
  static AuthResult interpret(AuthResponse response, String peer) {
    Optional<byte[]> status = response.header("Auth-Status");
    // "OK" and "WAIT" are exact and case-sensitive; no Auth-Status at all means success (reference §3.5).
    if (status.isEmpty() || Arrays.equals(status.get(), OK)) {
      return accepted(response, peer);
    }
    if (Arrays.equals(status.get(), WAIT)) {
      return new AuthResult.Retry(authWait(response));
    }
    return rejected(status.get(), response, peer);
  }

  private static AuthResult accepted(AuthResponse response, String peer) {
    Optional<String> server = response.text("Auth-Server").filter(s -> !s.isEmpty());
    Optional<String> port = response.text("Auth-Port").filter(s -> !s.isEmpty());
    if (server.isEmpty() || port.isEmpty()) {
      return unavailable(peer, "did not send server or port");
    }
    Optional<InetAddress> address = AuthServerAddress.parse(server.get());
    if (address.isEmpty() && !AuthServerAddress.isHostName(server.get())) {
      return unavailable(peer, "sent invalid server address:\"" + server.get() + "\"");
    }
    String p = port.get();
    int portNumber = AuthResponse.isDigits(p) && p.length() <= 5 ? Integer.parseInt(p) : 0;
    if (portNumber < 1 || portNumber > 65535) {
      return unavailable(peer, "sent invalid server port:\"" + p + "\"");
    }
    Optional<byte[]> sasl = response.header("Auth-Error-SASL");
    if (sasl.isPresent() && !echoable(sasl.get(), MAX_SASL_BYTES)) {
      return unavailable(peer, "sent invalid Auth-Error-SASL");
    }
    Optional<String> proxySsl = response.text("Auth-Proxy-SSL");
    Optional<BackendTlsConfig.Mode> requiredTls = proxySsl.map(AuthResponseInterpreter::tlsMode);
    if (proxySsl.isPresent() && requiredTls.orElse(null) == null) {
      return unavailable(peer, "sent invalid Auth-Proxy-SSL:\"" + proxySsl.get() + "\"");
    }
    Optional<String> tlsName = response.text("Auth-Proxy-SSL-Name");
    if (tlsName.isPresent() && !HOST_NAME.matcher(tlsName.get()).matches()) {
      return unavailable(peer, "sent invalid Auth-Proxy-SSL-Name:\"" + tlsName.get() + "\"");
    }
    // Auth-User and Auth-Pass are used raw, as nginx does: they were never escaped on the way back.
    return new AuthResult.Accepted(
        address.map(a -> BackendTarget.of(new InetSocketAddress(a, portNumber)))
            .orElseGet(() -> BackendTarget.unresolved(server.get(), portNumber)),
        response.header("Auth-User"),
        response.header("Auth-Pass"),
        sasl.map(AuthResponseInterpreter::text),
        requiredTls,
        tlsName);
  }

  private static AuthResult rejected(byte[] status, AuthResponse response, String peer) {
    if (!echoable(status, MAX_TEXT_BYTES)) {
      return unavailable(peer, "sent invalid Auth-Status");
    }
    // An empty Auth-Error-Code means "use the default", as nginx treats a zero-length one.
    Optional<byte[]> code = response.header("Auth-Error-Code").filter(c -> c.length > 0);
    if (code.isPresent()
        && (!echoable(code.get(), MAX_TEXT_BYTES) || !ERROR_CODE.matcher(text(code.get())).matches())) {
      return unavailable(peer, "sent invalid Auth-Error-Code");
    }
    Optional<byte[]> sasl = response.header("Auth-Error-SASL");
    if (sasl.isPresent() && !echoable(sasl.get(), MAX_SASL_BYTES)) {
      return unavailable(peer, "sent invalid Auth-Error-SASL");
    }
    return new AuthResult.Rejected(
        text(status), code.map(AuthResponseInterpreter::text), authWait(response),
        sasl.map(AuthResponseInterpreter::text));
  }

  /** {@code on} or {@code starttls} (case-insensitive); null for anything else. */
  private static BackendTlsConfig.Mode tlsMode(String value) {
    if (value.equalsIgnoreCase("on")) {
      return BackendTlsConfig.Mode.ON;
    }
    return value.equalsIgnoreCase("starttls") ? BackendTlsConfig.Mode.STARTTLS : null;
  }

  /** Auth-Wait in seconds; a value that is not a plain number is ignored, as nginx's {@code ngx_atoi} fails. */
  private static Optional<Duration> authWait(AuthResponse response) {
    return response.text("Auth-Wait")
        .filter(w -> AuthResponse.isDigits(w) && w.length() <= 18)
        .map(w -> Duration.ofSeconds(Long.parseLong(w)));
  }

  /** No CR, LF or NUL (each would end or corrupt the client's reply line) and at most {@code max} bytes. */
  private static boolean echoable(byte[] value, int max) {
    if (value.length > max) {
      return false;
    }
    for (byte b : value) {
      if (b == '\r' || b == '\n' || b == 0) {
        return false;
      }
    }
    return true;
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.ISO_8859_1);
  }

  private static AuthResult unavailable(String peer, String what) {
    return new AuthResult.Unavailable(Kind.INVALID_RESPONSE, "auth http server " + peer + " " + what);
  }
}
