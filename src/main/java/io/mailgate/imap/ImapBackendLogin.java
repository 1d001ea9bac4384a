package io.mailgate.imap;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLogin;
import io.mailgate.log.Sanitize;
import io.mailgate.sasl.Mechanism;
import io.mailgate.sasl.SaslClientPayloads;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Logs in to an IMAP backend with {@code LOGIN}, sending user and password as literals so no quoting can go wrong
 * (RFC 3501 §6.2.3, §4.3). With {@code LITERAL+} (RFC 7888) in the greeting's capabilities, all three parts go at once
 * with non-synchronizing literals, saving two round trips. The command carries the client's tag, so the backend's
 * tagged {@code OK} goes to the client unchanged, with any untagged lines (e.g. {@code * CAPABILITY}) before it.
 *
 * <p>With STARTTLS towards the backend (RFC 3501 §6.2.1): the greeting's capabilities, or a {@code CAPABILITY}
 * command, must list {@code STARTTLS} (else the login fails: no cleartext fallback); after the tagged {@code OK} to
 * {@code STARTTLS} the handshake runs, and the capabilities are asked again over TLS, as the earlier ones must be
 * discarded, before LOGIN.
 *
 * <p>With {@code proxy_backend_login token}, a client that logged in with XOAUTH2 or OAUTHBEARER is logged in with
 * {@code AUTHENTICATE} and the same mechanism, carrying its own token: the initial response on the command line when
 * the backend announces {@code SASL-IR} (RFC 4959), else after the empty {@code +} continuation (RFC 3501 §6.2.2). An
 * error challenge ({@code + <base64 JSON>}, RFC 7628 §3.2.2) is answered with the mechanism's dummy response so the
 * backend sends its tagged {@code NO}, which fails the login as a rejection.
 *
 * <p>With {@code proxy_client_identity on} an RFC 2971 {@code ID} command tagged {@value #ID_TAG} goes first, in the
 * same write as the LOGIN or AUTHENTICATE line, once the backend's capabilities are final (after STARTTLS and the new
 * CAPABILITY when TLS is used). It must be a single command: Dovecot's imap-login only takes the client's address
 * from the first ID of a connection. Dovecot's own proxy pipelines it the same way ({@code imap-proxy.c}) and skips it
 * when the backend's capabilities are known and lack {@code ID}; so does this login, as such a backend can only answer
 * {@code BAD} (and count it as an error). The untagged {@code * ID} reply and the tagged reply never reach the
 * client; a {@code BAD} or {@code NO} is logged at debug level and the login goes on. Should the backend answer LOGIN
 * before ID (RFC 3501 §5.5 lets it), the login's reply is held until the ID's, so none of it leaks into the relay.
 */
final class ImapBackendLogin extends BackendLogin {

  /** What the login waits for next. */
  private enum State {
    /** The server greeting ({@code * OK}). */
    AWAIT_GREETING,
    /** The tagged reply to our CAPABILITY (untagged {@code * CAPABILITY} lines are collected). */
    AWAIT_CAPABILITY,
    /** The tagged reply to STARTTLS. */
    AWAIT_STARTTLS,
    /** The {@code +} continuation for the user literal. */
    AWAIT_USER_CONTINUATION,
    /** The {@code +} continuation for the password literal. */
    AWAIT_PASSWORD_CONTINUATION,
    /** The tagged reply to LOGIN. */
    AWAIT_LOGIN_REPLY,
    /** The empty {@code +} continuation for the token's initial response (no SASL-IR). */
    AWAIT_AUTHENTICATE_CONTINUATION,
    /** The tagged reply to AUTHENTICATE, or an error challenge. */
    AWAIT_AUTHENTICATE_REPLY,
    /** The tagged reply after the error challenge was answered. */
    AWAIT_AUTHENTICATE_FAILURE
  }

  /** Tags of the proxy's own commands; they complete before LOGIN, which carries the client's tag. */
  static final String CAPABILITY_TAG = "mgC";
  static final String STARTTLS_TAG = "mgS";
  static final String ID_TAG = "mgI";
  /** Octets of {@link #idCommand} around the list. */
  static final int ID_COMMAND_OVERHEAD = (ID_TAG + " ID \r\n").length();
  private static final byte[] CRLF = {'\r', '\n'};
  /** Bound on what a backend that answered the login before the ID may send while the ID's reply is due. */
  private static final int MAX_HELD_REPLY = 64 * 1024;

  private final String tag;
  /** The ID list for the backend ({@code proxy_client_identity on}), else null. */
  private final ImapIdList id;
  /** Where dropped ID fields and a refused ID are reported. */
  private final Consumer<String> debug;
  /** True from the write of the ID command until its tagged reply. */
  private boolean idPending;
  /** The login's reply, when it arrived while the ID's was still due. */
  private String heldReply;
  private State state = State.AWAIT_GREETING;
  private final StringBuilder untagged = new StringBuilder();
  /** The capabilities from {@code * CAPABILITY} lines, upper-case, space-padded. */
  private String capabilities = " ";
  /** Whether the STARTTLS upgrade is done. */
  private boolean upgraded;

  /** @param tag the client's command tag, used for the backend LOGIN */
  ImapBackendLogin(String tag) {
    this(tag, Optional.empty(), message -> { });
  }

  /**
   * @param tag the client's command tag, used for the backend LOGIN
   * @param id the ID list to send before the login ({@code proxy_client_identity on}); every string is representable
   *     as a quoted string ({@link ImapForwardedId} made sure)
   * @param debug the session's debug log
   */
  ImapBackendLogin(String tag, Optional<ImapIdList> id, Consumer<String> debug) {
    this.tag = tag;
    this.id = id.orElse(null);
    this.debug = debug;
  }

  /** The ID command line, CRLF included, for {@code list}. */
  static String idCommand(ImapIdList list) {
    return ID_TAG + " ID " + list.wire() + "\r\n";
  }

  @Override
  protected String waitingFor() {
    switch (state) {
      case AWAIT_GREETING:
        return "reading response from upstream";
      case AWAIT_CAPABILITY:
        return "sending CAPABILITY command to upstream";
      case AWAIT_STARTTLS:
        return "sending STARTTLS command to upstream";
      case AWAIT_USER_CONTINUATION:
        return "sending LOGIN command to upstream";
      case AWAIT_PASSWORD_CONTINUATION:
        return "sending user name to upstream";
      case AWAIT_AUTHENTICATE_CONTINUATION:
      case AWAIT_AUTHENTICATE_REPLY:
      case AWAIT_AUTHENTICATE_FAILURE:
        return "sending AUTHENTICATE to upstream";
      default:
        return "sending password to upstream";
    }
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (idPending && onIdReply(line)) {
      return;
    }
    if (heldReply != null) {
      // After the login's tagged OK the lines belong to the session: they follow the reply to the client, in order.
      heldReply += line + "\r\n";
      if (heldReply.length() > MAX_HELD_REPLY) {
        fail(BackendFailure.PROTOCOL, "upstream did not answer ID after the login", Optional.empty());
      }
      return;
    }
    switch (state) {
      case AWAIT_GREETING:
        onGreeting(ctx, line);
        break;
      case AWAIT_CAPABILITY:
        onCapabilityReply(ctx, line);
        break;
      case AWAIT_STARTTLS:
        onStartTlsReply(ctx, line);
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
      case AWAIT_AUTHENTICATE_CONTINUATION:
        if (onContinuation(line)) {
          state = State.AWAIT_AUTHENTICATE_REPLY;
          sendInitialResponse(ctx, new byte[0]);
        }
        break;
      case AWAIT_AUTHENTICATE_REPLY:
        if (line.startsWith("+")) {
          // RFC 7628 §3.2.2: the token was refused; the dummy response gets the final tagged NO.
          state = State.AWAIT_AUTHENTICATE_FAILURE;
          sendBytes(ctx, SaslClientPayloads.errorChallengeAck(tokenMechanism().orElseThrow()), CRLF);
        } else {
          onLoginReply(line);
        }
        break;
      case AWAIT_AUTHENTICATE_FAILURE:
        if (line.startsWith("+")) {
          fail(BackendFailure.PROTOCOL, "upstream sent a second challenge after an error challenge",
              Optional.empty());
        } else {
          onLoginReply(line);
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
    String greetingCapabilities = greetingCapabilities(upper);
    if (!startTlsRequired()) {
      login(ctx, greetingCapabilities);
    } else if (hasWord(greetingCapabilities, "STARTTLS")) {
      sendStartTls(ctx);
    } else {
      // No capability list in the greeting, or one without STARTTLS: ask before giving up.
      sendCapability(ctx);
    }
  }

  private void sendCapability(ChannelHandlerContext ctx) {
    capabilities = " ";
    state = State.AWAIT_CAPABILITY;
    send(ctx, CAPABILITY_TAG + " CAPABILITY\r\n");
  }

  private void sendStartTls(ChannelHandlerContext ctx) {
    state = State.AWAIT_STARTTLS;
    send(ctx, STARTTLS_TAG + " STARTTLS\r\n");
  }

  private void onCapabilityReply(ChannelHandlerContext ctx, String line) {
    String upper = line.toUpperCase(Locale.ROOT);
    if (upper.startsWith("* CAPABILITY ")) {
      capabilities += upper.substring(13).trim() + " ";
      return;
    }
    if (line.startsWith("* ")) {
      return;
    }
    if (!upper.startsWith(CAPABILITY_TAG.toUpperCase(Locale.ROOT) + " OK")) {
      fail(BackendFailure.PROTOCOL, "upstream sent invalid response to CAPABILITY: \"" + line + "\"",
          Optional.empty());
      return;
    }
    if (upgraded) {
      login(ctx, capabilities);
    } else if (hasWord(capabilities, "STARTTLS")) {
      sendStartTls(ctx);
    } else {
      fail(BackendFailure.REMOTE_CONFIG, "upstream does not support STARTTLS", Optional.empty());
    }
  }

  private void onStartTlsReply(ChannelHandlerContext ctx, String line) {
    if (line.startsWith("* ")) {
      return;
    }
    if (!line.toUpperCase(Locale.ROOT).startsWith(STARTTLS_TAG.toUpperCase(Locale.ROOT) + " OK")) {
      fail(BackendFailure.REMOTE_CONFIG, "upstream rejected STARTTLS: \"" + line + "\"", Optional.empty());
      return;
    }
    upgradeToTls(ctx, () -> {
      upgraded = true;
      // RFC 3501 §6.2.1: capabilities learnt before TLS must be discarded; LOGINDISABLED and LITERAL+ may differ now.
      sendCapability(ctx);
    });
  }

  /** LOGIN, or AUTHENTICATE for a token login, given the backend's capabilities (upper-case, space-padded, or ""). */
  private void login(ChannelHandlerContext ctx, String capabilities) {
    Optional<Mechanism> mechanism = tokenMechanism();
    if (mechanism.isPresent()) {
      authenticate(ctx, capabilities, mechanism.get());
      return;
    }
    if (hasWord(capabilities, "LOGINDISABLED")) {
      fail(BackendFailure.REMOTE_CONFIG, "upstream disabled LOGIN (LOGINDISABLED in greeting)", Optional.empty());
      return;
    }
    String idLine = idLine(capabilities);
    if (hasWord(capabilities, "LITERAL+")) {
      send(ctx, idLine + tag + " LOGIN {" + user.length + "+}\r\n" + raw(user) + " {" + password.length + "+}\r\n"
          + raw(password) + "\r\n");
      state = State.AWAIT_LOGIN_REPLY;
    } else {
      send(ctx, idLine + tag + " LOGIN {" + user.length + "}\r\n");
      state = State.AWAIT_USER_CONTINUATION;
    }
  }

  /**
   * The ID command to write before the login, or "" (identity off, or capabilities known without {@code ID}); marks
   * its reply due. Called once, right before the login's first write.
   */
  private String idLine(String capabilities) {
    if (id == null) {
      return "";
    }
    if (!capabilities.isBlank() && !hasWord(capabilities, "ID")) {
      debug.accept("upstream does not announce ID, the client's identity is not sent");
      return "";
    }
    idPending = true;
    return idCommand(id);
  }

  /**
   * Consumes the ID's replies while one is due: the untagged {@code * ID} and the tagged completion. Returns false for
   * any other line.
   */
  private boolean onIdReply(String line) {
    if (line.regionMatches(true, 0, "* ID ", 0, 5) || line.equalsIgnoreCase("* ID")) {
      return true;
    }
    if (!line.regionMatches(true, 0, ID_TAG + " ", 0, ID_TAG.length() + 1)) {
      return false;
    }
    idPending = false;
    if (!line.regionMatches(true, ID_TAG.length() + 1, "OK", 0, 2)) {
      // RFC 2971 is optional: a backend without it says BAD (or NO), and the login goes on without the identity.
      debug.accept("upstream refused ID: \"" + Sanitize.forLog(line, 160) + "\"");
    }
    if (heldReply != null) {
      succeed(heldReply);
    }
    return true;
  }

  /** {@code AUTHENTICATE <mechanism>} with the client's token, as initial response when SASL-IR allows it. */
  private void authenticate(ChannelHandlerContext ctx, String capabilities, Mechanism mechanism) {
    if (!capabilities.isBlank() && !hasWord(capabilities, "AUTH=" + mechanism.saslName())) {
      fail(BackendFailure.REMOTE_CONFIG, "upstream does not announce AUTH=" + mechanism.saslName()
          + " for passing the client's token on", Optional.empty());
      return;
    }
    byte[] idLine = idLine(capabilities).getBytes(StandardCharsets.ISO_8859_1);
    byte[] command = (tag + " AUTHENTICATE " + mechanism.saslName()).getBytes(StandardCharsets.ISO_8859_1);
    if (hasWord(capabilities, "SASL-IR")) {
      state = State.AWAIT_AUTHENTICATE_REPLY;
      sendInitialResponse(ctx, idLine, command, new byte[] {' '});
    } else {
      state = State.AWAIT_AUTHENTICATE_CONTINUATION;
      sendBytes(ctx, idLine, command, CRLF);
    }
  }

  /** Writes {@code prefix}, the token's initial response and CRLF as one line, wiping the response. */
  private void sendInitialResponse(ChannelHandlerContext ctx, byte[]... prefix) {
    byte[] response = tokenInitialResponse();
    try {
      byte[][] parts = Arrays.copyOf(prefix, prefix.length + 2);
      parts[prefix.length] = response;
      parts[prefix.length + 1] = CRLF;
      sendBytes(ctx, parts);
    } finally {
      Arrays.fill(response, (byte) 0);
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
      if (idPending) {
        heldReply = untagged + line + "\r\n";
      } else {
        succeed(untagged + line + "\r\n");
      }
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

  private static void sendBytes(ChannelHandlerContext ctx, byte[]... parts) {
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
