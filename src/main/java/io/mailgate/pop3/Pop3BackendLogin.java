package io.mailgate.pop3;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLogin;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Logs in to a POP3 backend with {@code USER} and {@code PASS} (RFC 1939 §7), as nginx does: each step waits for a
 * line starting with {@code +OK}. The backend's {@code +OK} to PASS goes to the client unchanged. Any other line fails
 * the login and is kept as the reply {@code proxy_pass_error_message} relays, RFC 2449 §8 response codes
 * ({@code [IN-USE]}, {@code [LOGIN-DELAY]}, {@code [SYS/TEMP]}, {@code [AUTH]}) included as sent.
 *
 * <p>With STARTTLS towards the backend, {@code STLS} (RFC 2595 §4) goes first; anything but {@code +OK} fails the login
 * (no cleartext fallback), and USER/PASS follow over TLS.
 */
final class Pop3BackendLogin extends BackendLogin {

  /** What the login waits for next. */
  private enum State {
    /** The server greeting. */
    AWAIT_GREETING,
    /** The reply to STLS. */
    AWAIT_STLS_REPLY,
    /** The reply to USER. */
    AWAIT_USER_REPLY,
    /** The reply to PASS. */
    AWAIT_PASS_REPLY
  }

  private State state = State.AWAIT_GREETING;

  @Override
  protected String waitingFor() {
    switch (state) {
      case AWAIT_STLS_REPLY:
        return "sending STLS command to upstream";
      case AWAIT_USER_REPLY:
        return "sending user name to upstream";
      case AWAIT_PASS_REPLY:
        return "sending password to upstream";
      default:
        return "reading response from upstream";
    }
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (state == State.AWAIT_STLS_REPLY) {
      if (line.startsWith("+OK")) {
        upgradeToTls(ctx, () -> sendUser(ctx));
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
        if (startTlsRequired()) {
          state = State.AWAIT_STLS_REPLY;
          send(ctx, "STLS\r\n");
        } else {
          sendUser(ctx);
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

  private static void send(ChannelHandlerContext ctx, String text) {
    ctx.writeAndFlush(ctx.alloc().buffer(text.length()).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1)));
  }
}
