package io.mailgate.imap;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLogin;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Logs in to an IMAP backend with {@code LOGIN}, sending user and password as literals so no quoting can go wrong
 * (RFC 3501 §6.2.3, §4.3). With {@code LITERAL+} (RFC 7888) in the greeting's capabilities, all three parts go at once
 * with non-synchronizing literals, saving two round trips. The command carries the client's tag, so the backend's
 * tagged {@code OK} goes to the client unchanged, with any untagged lines (e.g. {@code * CAPABILITY}) before it.
 */
final class ImapBackendLogin extends BackendLogin {

  /** What the login waits for next. */
  private enum State {
    /** The server greeting ({@code * OK}). */
    AWAIT_GREETING,
    /** The {@code +} continuation for the user literal. */
    AWAIT_USER_CONTINUATION,
    /** The {@code +} continuation for the password literal. */
    AWAIT_PASSWORD_CONTINUATION,
    /** The tagged reply to LOGIN. */
    AWAIT_LOGIN_REPLY
  }

  private final String tag;
  private State state = State.AWAIT_GREETING;
  private final StringBuilder untagged = new StringBuilder();

  /** @param tag the client's command tag, used for the backend LOGIN */
  ImapBackendLogin(String tag) {
    this.tag = tag;
  }

  @Override
  protected String waitingFor() {
    switch (state) {
      case AWAIT_GREETING:
        return "reading response from upstream";
      case AWAIT_USER_CONTINUATION:
        return "sending LOGIN command to upstream";
      case AWAIT_PASSWORD_CONTINUATION:
        return "sending user name to upstream";
      default:
        return "sending password to upstream";
    }
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    switch (state) {
      case AWAIT_GREETING:
        onGreeting(ctx, line);
        break;
      case AWAIT_USER_CONTINUATION:
        if (onContinuation(line)) {
          send(ctx, raw(user) + " {" + password.length + "}\r\n");
          state = State.AWAIT_PASSWORD_CONTINUATION;
        }
        break;
      case AWAIT_PASSWORD_CONTINUATION:
        if (onContinuation(line)) {
          send(ctx, raw(password) + "\r\n");
          state = State.AWAIT_LOGIN_REPLY;
        }
        break;
      default:
        onLoginReply(line);
        break;
    }
  }

  private void onGreeting(ChannelHandlerContext ctx, String line) {
    String upper = line.toUpperCase(Locale.ROOT);
    if (upper.startsWith("* PREAUTH")) {
      fail(BackendFailure.REMOTE_CONFIG, "upstream sent PREAUTH greeting: \"" + line + "\"", Optional.empty());
      return;
    }
    if (!upper.startsWith("* OK")) {
      fail(BackendFailure.PROTOCOL, "upstream sent invalid response: \"" + line + "\"", Optional.of(line + "\r\n"));
      return;
    }
    String capabilities = greetingCapabilities(upper);
    if (hasWord(capabilities, "LOGINDISABLED")) {
      fail(BackendFailure.REMOTE_CONFIG, "upstream disabled LOGIN (LOGINDISABLED in greeting)", Optional.empty());
      return;
    }
    if (hasWord(capabilities, "LITERAL+")) {
      send(ctx, tag + " LOGIN {" + user.length + "+}\r\n" + raw(user) + " {" + password.length + "+}\r\n"
          + raw(password) + "\r\n");
      state = State.AWAIT_LOGIN_REPLY;
    } else {
      send(ctx, tag + " LOGIN {" + user.length + "}\r\n");
      state = State.AWAIT_USER_CONTINUATION;
    }
  }

  /** True on {@code +}; untagged lines are skipped; anything else fails the login. */
  private boolean onContinuation(String line) {
    if (line.startsWith("+")) {
      return true;
    }
    if (line.startsWith("* ")) {
      return false;
    }
    rejectOrGarbage(line);
    return false;
  }

  private void onLoginReply(String line) {
    if (line.startsWith("* ")) {
      untagged.append(line).append("\r\n");
      return;
    }
    if (line.regionMatches(true, 0, tag + " OK", 0, tag.length() + 3)) {
      succeed(untagged + line + "\r\n");
      return;
    }
    rejectOrGarbage(line);
  }

  private void rejectOrGarbage(String line) {
    boolean tagged = line.startsWith(tag + " ");
    fail(tagged ? BackendFailure.AUTH_REJECTED : BackendFailure.PROTOCOL,
        "upstream sent invalid response: \"" + line + "\"", Optional.of(untagged + line + "\r\n"));
  }

  /** The words inside {@code [CAPABILITY ...]} of a greeting, upper-case, or "". */
  private static String greetingCapabilities(String upperGreeting) {
    int start = upperGreeting.indexOf("[CAPABILITY ");
    if (start < 0) {
      return "";
    }
    int end = upperGreeting.indexOf(']', start);
    return " " + upperGreeting.substring(start + 12, end < 0 ? upperGreeting.length() : end) + " ";
  }

  private static boolean hasWord(String spaced, String word) {
    return spaced.contains(" " + word + " ");
  }

  private static void send(ChannelHandlerContext ctx, String text) {
    ctx.writeAndFlush(ctx.alloc().buffer(text.length()).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1)));
  }
}
