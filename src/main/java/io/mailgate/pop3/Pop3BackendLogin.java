package io.mailgate.pop3;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLogin;
import io.mailgate.log.Sanitize;
import io.mailgate.log.SessionLog;
import io.mailgate.sasl.Mechanism;
import io.mailgate.sasl.SaslClientPayloads;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Logs in to a POP3 backend with {@code USER} and {@code PASS} (RFC 1939 §7), as nginx does: each step waits for a
 * line starting with {@code +OK}. The backend's {@code +OK} to PASS goes to the client unchanged. Any other line fails
 * the login and is kept as the reply {@code proxy_pass_error_message} relays, RFC 2449 §8 response codes
 * ({@code [IN-USE]}, {@code [LOGIN-DELAY]}, {@code [SYS/TEMP]}, {@code [AUTH]}) included as sent.
 *
 * <p>With STARTTLS towards the backend, {@code STLS} (RFC 2595 §4) goes first; anything but {@code +OK} fails the login
 * (no cleartext fallback), and USER/PASS follow over TLS.
 *
 * <p>With {@code proxy_backend_login token}, a client that logged in with XOAUTH2 or OAUTHBEARER is logged in with
 * {@code AUTH} (RFC 5034) and the same mechanism, carrying its own token: as initial response when the command stays
 * within 255 octets (RFC 5034 §4), else after the empty {@code +} continuation. An error challenge is answered with
 * the mechanism's dummy response (RFC 7628 §3.2.2), and the final {@code -ERR} fails the login as a rejection.
 *
 * <p>With {@code proxy_client_identity on}, {@link Pop3Xclient}'s {@code XCLIENT} goes before USER/AUTH when the
 * backend takes it. Dovecot tells only its {@code login_trusted_networks} peers, in the greeting
 * ({@code +OK [XCLIENT] ...}, "to avoid extra roundtrip for CAPA"), and does not list it in CAPA; other servers may
 * list {@code XCLIENT} in CAPA, so without the greeting tag CAPA is asked once. XCLIENT is pipelined with the login
 * command where that is safe: after Dovecot's tag (Dovecot's own proxy pipelines the two) or with {@code PIPELINING}
 * in CAPA (RFC 2449 §6.6); otherwise its reply is awaited first. A refused or ignored XCLIENT is logged as a warning
 * and the login goes on: the client still gets in, the backend just sees this proxy's address. With STLS, XCLIENT and
 * CAPA go over TLS after the upgrade: RFC 2595 §4 has the client discard what it learnt in cleartext, so CAPA is only
 * ever asked over TLS. The greeting tag is the one cleartext hint still used, since Dovecot gives no other (its proxy
 * does the same); a forged tag costs one refused XCLIENT, and the command carries nothing secret.
 */
final class Pop3BackendLogin extends BackendLogin {

  /** What the login waits for next. */
  private enum State {
    /** The server greeting. */
    AWAIT_GREETING,
    /** The reply to STLS. */
    AWAIT_STLS_REPLY,
    /** The status line of the reply to CAPA (RFC 2449 §5), asked to learn whether XCLIENT is offered. */
    AWAIT_CAPA_REPLY,
    /** The capability lines up to the terminating {@code .}. */
    AWAIT_CAPA_LINES,
    /** The reply to an XCLIENT that was not pipelined; the login command follows it. */
    AWAIT_XCLIENT_REPLY,
    /** The reply to USER. */
    AWAIT_USER_REPLY,
    /** The reply to PASS. */
    AWAIT_PASS_REPLY,
    /** The empty {@code +} continuation for the token's initial response (command line too long for it). */
    AWAIT_AUTH_CONTINUATION,
    /** The reply to the token, or an error challenge. */
    AWAIT_AUTH_REPLY,
    /** The final {@code -ERR} after the error challenge was answered. */
    AWAIT_AUTH_FAILURE
  }

  /** RFC 5034 §4: an AUTH command line with its initial response is at most 255 octets, CRLF included. */
  static final int AUTH_LINE_LIMIT = 255;
  private static final byte[] CRLF = {'\r', '\n'};

  private final Optional<Pop3Xclient> xclient;
  private final SessionLog log;
  private State state = State.AWAIT_GREETING;
  /** The greeting carried Dovecot's {@code [XCLIENT]} tag. */
  private boolean greetingOffersXclient;
  /** CAPA listed {@code XCLIENT}, and {@code PIPELINING}. */
  private boolean capaOffersXclient;
  private boolean capaOffersPipelining;
  /** An XCLIENT was sent whose reply has not been read yet; the next line is that reply. */
  private boolean xclientReplyPending;

  /** A login that sends no XCLIENT: the bytes nginx sends. */
  Pop3BackendLogin() {
    this(Optional.empty(), null);
  }

  /**
   * A login that names the client with {@code xclient} when the backend takes it.
   *
   * @param log the session's log, for the warning when the backend refuses XCLIENT
   */
  Pop3BackendLogin(Optional<Pop3Xclient> xclient, SessionLog log) {
    this.xclient = xclient;
    this.log = log;
  }

  @Override
  protected String waitingFor() {
    if (xclientReplyPending) {
      return "sending XCLIENT to upstream";
    }
    switch (state) {
      case AWAIT_STLS_REPLY:
        return "sending STLS command to upstream";
      case AWAIT_CAPA_REPLY:
      case AWAIT_CAPA_LINES:
        return "sending CAPA to upstream";
      case AWAIT_USER_REPLY:
        return "sending user name to upstream";
      case AWAIT_PASS_REPLY:
        return "sending password to upstream";
      case AWAIT_AUTH_CONTINUATION:
      case AWAIT_AUTH_REPLY:
      case AWAIT_AUTH_FAILURE:
        return "sending AUTH to upstream";
      default:
        return "reading response from upstream";
    }
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (xclientReplyPending) {
      // Replies come in command order (RFC 2449 §6.6), so with XCLIENT pipelined this one is XCLIENT's.
      xclientReplyPending = false;
      onXclientReply(line);
      if (state == State.AWAIT_XCLIENT_REPLY) {
        sendLogin(ctx);
      }
      return;
    }
    if (state == State.AWAIT_CAPA_REPLY || state == State.AWAIT_CAPA_LINES) {
      onCapaLine(ctx, line);
      return;
    }
    if (state == State.AWAIT_AUTH_CONTINUATION || state == State.AWAIT_AUTH_REPLY
        || state == State.AWAIT_AUTH_FAILURE) {
      onAuthLine(ctx, line);
      return;
    }
    if (state == State.AWAIT_STLS_REPLY) {
      if (line.startsWith("+OK")) {
        upgradeToTls(ctx, () -> identifyThenLogin(ctx));
      } else {
        fail(BackendFailure.REMOTE_CONFIG, "upstream does not support STARTTLS (STLS answered \"" + line + "\")",
            Optional.empty());
      }
      return;
    }
    if (!line.startsWith("+OK")) {
      BackendFailure failure = state == State.AWAIT_GREETING ? BackendFailure.PROTOCOL : BackendFailure.AUTH_REJECTED;
      fail(failure, "upstream sent invalid response: \"" + line + "\"", Optional.of(line + "\r\n"));
      return;
    }
    switch (state) {
      case AWAIT_GREETING:
        if (hasLineBreakOrNul(user) || hasLineBreakOrNul(password)) {
          // A command line cannot carry these; the auth service's Auth-User/Auth-Pass must not split one.
          fail(BackendFailure.INTERNAL, "login or password for upstream contains CR, LF or NUL", Optional.empty());
          return;
        }
        // Dovecot's own proxy checks the same: "+OK" followed by " [XCLIENT]".
        greetingOffersXclient = line.startsWith("+OK [XCLIENT]");
        if (startTlsRequired()) {
          state = State.AWAIT_STLS_REPLY;
          send(ctx, "STLS\r\n");
        } else {
          identifyThenLogin(ctx);
        }
        break;
      case AWAIT_USER_REPLY:
        send(ctx, "PASS " + raw(password) + "\r\n");
        state = State.AWAIT_PASS_REPLY;
        break;
      default:
        succeed(line + "\r\n");
        break;
    }
  }

  /**
   * With {@code proxy_client_identity on}: XCLIENT (after Dovecot's greeting tag) or CAPA first; else straight to the
   * login, as nginx.
   */
  private void identifyThenLogin(ChannelHandlerContext ctx) {
    if (xclient.isEmpty()) {
      sendLogin(ctx);
    } else if (greetingOffersXclient) {
      sendXclient(ctx, true);
    } else {
      state = State.AWAIT_CAPA_REPLY;
      send(ctx, "CAPA\r\n");
    }
  }

  /** A line of the CAPA reply: a backend without CAPA ({@code -ERR}, RFC 1939 servers) just gets no XCLIENT. */
  private void onCapaLine(ChannelHandlerContext ctx, String line) {
    if (state == State.AWAIT_CAPA_REPLY) {
      if (line.startsWith("+OK")) {
        state = State.AWAIT_CAPA_LINES;
      } else {
        sendLogin(ctx);
      }
      return;
    }
    if (!line.equals(".")) {
      // RFC 2449 §5: a capability is a tag, optionally followed by arguments; tags are case-insensitive.
      int space = line.indexOf(' ');
      String tag = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
      capaOffersXclient |= tag.equals("XCLIENT");
      capaOffersPipelining |= tag.equals("PIPELINING");
      return;
    }
    if (capaOffersXclient) {
      sendXclient(ctx, capaOffersPipelining);
    } else {
      log.debug("upstream does not offer XCLIENT (no \"[XCLIENT]\" in its greeting, none in CAPA); it will see this"
          + " proxy's address, not the client's");
      sendLogin(ctx);
    }
  }

  /** XCLIENT, followed at once by the login command when {@code pipelined}, else once its reply is in. */
  private void sendXclient(ChannelHandlerContext ctx, boolean pipelined) {
    xclientReplyPending = true;
    send(ctx, xclient.orElseThrow().command() + "\r\n");
    if (pipelined) {
      sendLogin(ctx);
    } else {
      state = State.AWAIT_XCLIENT_REPLY;
    }
  }

  /**
   * Dovecot answers {@code +OK Updated}, a peer outside {@code login_trusted_networks} {@code +OK You are not from
   * trusted IP - ignoring}, bad values {@code -ERR Invalid parameters}, and a server without XCLIENT {@code -ERR}. Only
   * the client's address is lost, so the login goes on; the operator is told once, in this session's log.
   */
  private void onXclientReply(String line) {
    if (!line.startsWith("+OK")) {
      log.warn("upstream refused XCLIENT (\"" + Sanitize.forLog(line, 160) + "\"); it will see this proxy's address,"
          + " not the client's");
    } else if (line.toLowerCase(Locale.ROOT).contains("not from trusted")) {
      log.warn("upstream ignored XCLIENT (\"" + Sanitize.forLog(line, 160) + "\"); add this proxy's address to the"
          + " backend's login_trusted_networks");
    }
  }

  /** USER/PASS, or AUTH with the client's token for a token login. */
  private void sendLogin(ChannelHandlerContext ctx) {
    Optional<Mechanism> mechanism = tokenMechanism();
    if (mechanism.isEmpty()) {
      sendUser(ctx);
      return;
    }
    byte[] command = ("AUTH " + mechanism.get().saslName()).getBytes(StandardCharsets.US_ASCII);
    byte[] response = tokenInitialResponse();
    try {
      if (command.length + 1 + response.length + CRLF.length <= AUTH_LINE_LIMIT) {
        state = State.AWAIT_AUTH_REPLY;
        send(ctx, command, new byte[] {' '}, response, CRLF);
      } else {
        state = State.AWAIT_AUTH_CONTINUATION;
        send(ctx, command, CRLF);
      }
    } finally {
      Arrays.fill(response, (byte) 0);
    }
  }

  private void onAuthLine(ChannelHandlerContext ctx, String line) {
    if (line.startsWith("+OK") && state != State.AWAIT_AUTH_CONTINUATION) {
      succeed(line + "\r\n");
      return;
    }
    if (line.startsWith("+ ") || line.equals("+")) {
      if (state == State.AWAIT_AUTH_CONTINUATION) {
        state = State.AWAIT_AUTH_REPLY;
        byte[] response = tokenInitialResponse();
        try {
          send(ctx, response, CRLF);
        } finally {
          Arrays.fill(response, (byte) 0);
        }
      } else if (state == State.AWAIT_AUTH_REPLY) {
        // RFC 7628 §3.2.2: the token was refused; the dummy response gets the final -ERR.
        state = State.AWAIT_AUTH_FAILURE;
        send(ctx, SaslClientPayloads.errorChallengeAck(tokenMechanism().orElseThrow()), CRLF);
      } else {
        fail(BackendFailure.PROTOCOL, "upstream sent a second challenge after an error challenge", Optional.empty());
      }
      return;
    }
    BackendFailure failure = line.startsWith("-ERR") ? BackendFailure.AUTH_REJECTED : BackendFailure.PROTOCOL;
    fail(failure, "upstream sent invalid response: \"" + line + "\"", Optional.of(line + "\r\n"));
  }

  private void sendUser(ChannelHandlerContext ctx) {
    send(ctx, "USER " + raw(user) + "\r\n");
    state = State.AWAIT_USER_REPLY;
  }

  private static boolean hasLineBreakOrNul(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '\r' || b == '\n' || b == 0) {
        return true;
      }
    }
    return false;
  }

  private static void send(ChannelHandlerContext ctx, byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuf out = ctx.alloc().buffer(length);
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    ctx.writeAndFlush(out);
  }

  private static void send(ChannelHandlerContext ctx, String text) {
    ctx.writeAndFlush(ctx.alloc().buffer(text.length()).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1)));
  }
}
