package io.mailgate.smtp;

import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLogin;
import io.mailgate.sasl.Mechanism;
import io.mailgate.sasl.SaslClientPayloads;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Logs the proxy in to an SMTP backend, in nginx's order: {@code EHLO <server_name>} (HELO when neither the client
 * nor XCLIENT needs ESMTP); with {@code xclient on}, {@code XCLIENT ADDR= LOGIN= NAME=} (values as RFC 3461 xtext)
 * and then the client's own HELO/EHLO; then either the replayed MAIL FROM and RCPT TO of {@code smtp_auth none}
 * (whose RCPT reply, whatever it is, goes to the client), or {@code AUTH PLAIN} with {@code proxy_smtp_auth on}, or
 * nothing more. The client gets {@code 235 2.0.0 OK} after an AUTH.
 *
 * <p>Beyond nginx: a backend whose EHLO lists XCLIENT's attribute names (Postfix does) gets those it lists, PORT,
 * PROTO, HELO and DESTADDR/DESTPORT included ({@link SmtpXclient}); others get nginx's XCLIENT unchanged. Postfix
 * answers XCLIENT with a fresh {@code 220} greeting and forgets the earlier EHLO, so when the
 * client sent no HELO/EHLO of its own, {@code EHLO <server_name>} is sent again (AUTH needs it). A refused XCLIENT
 * fails with a message naming the cause. An {@code AUTH PLAIN} too long for a 512-octet command line (RFC 5321
 * §4.5.3.1.4; a bearer token easily is) goes as {@code AUTH PLAIN} and the data on the {@code 334} line. Extensions
 * the client was promised in {@code smtp_capabilities} but the backend does not announce are logged as a warning.
 *
 * <p>With STARTTLS towards the backend (RFC 3207): {@code EHLO <server_name>}, which must announce STARTTLS (else the
 * login fails: no cleartext fallback), {@code STARTTLS}, {@code 220}, the handshake, and then the whole login above
 * from its first EHLO/HELO over TLS, since the session starts afresh (RFC 3207 §4.2).
 *
 * <p>With {@code proxy_backend_login token}, a client that logged in with XOAUTH2 or OAUTHBEARER is logged in with
 * {@code AUTH} (RFC 4954) and the same mechanism, carrying its own token, whatever {@code proxy_smtp_auth} says;
 * XCLIENT (when on) still tells the backend the client's address and name, but not LOGIN=, since the token names the
 * user. An
 * error challenge ({@code 334 <base64 JSON>}, RFC 7628 §3.2.2) is answered with the mechanism's dummy response and the
 * final {@code 535} fails the login as a rejection.
 */
final class SmtpBackendLogin extends BackendLogin {

  /** What the login waits for next. */
  private enum State {
    GREETING, STARTTLS_EHLO, STARTTLS, SERVER_HELO, XCLIENT, CLIENT_HELO, AUTH_CONTINUE, AUTH, TOKEN_CONTINUE,
    TOKEN_AUTH, TOKEN_FAILURE, MAIL_FROM, RCPT_TO
  }

  static final String AUTH_OK = "235 2.0.0 OK\r\n";
  /** RFC 5321 §4.5.3.1.4: a command line, CRLF included, is at most 512 octets. */
  static final int COMMAND_LINE_LIMIT = 512;
  private static final byte[] CRLF = {'\r', '\n'};

  private final SmtpLoginPlan plan;
  private final SmtpReply.Assembler assembler = new SmtpReply.Assembler();
  private State state = State.GREETING;
  /** Whether the HELO/EHLO in flight is EHLO (its reply lists extensions). */
  private boolean ehloInFlight;
  private boolean announcesXclient;
  /** The attribute names on the XCLIENT line of the backend's EHLO reply (empty: none listed, nginx's command). */
  private List<String> xclientAttributes = List.of();
  private List<String> backendExtensions;
  private byte[] authPlain;

  SmtpBackendLogin(SmtpLoginPlan plan) {
    this.plan = plan;
  }

  @Override
  protected String waitingFor() {
    switch (state) {
      case GREETING:
        return "reading response from upstream";
      case STARTTLS_EHLO:
        return "sending EHLO to upstream";
      case STARTTLS:
        return "sending STARTTLS to upstream";
      case SERVER_HELO:
        return "sending HELO/EHLO to upstream";
      case XCLIENT:
        return "sending XCLIENT to upstream";
      case CLIENT_HELO:
        return "sending client HELO/EHLO to upstream";
      case AUTH_CONTINUE:
      case AUTH:
      case TOKEN_CONTINUE:
      case TOKEN_AUTH:
      case TOKEN_FAILURE:
        return "sending AUTH to upstream";
      case MAIL_FROM:
        return "sending MAIL FROM to upstream";
      default:
        return "sending RCPT TO to upstream";
    }
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    Optional<SmtpReply> complete;
    try {
      complete = assembler.add(line);
    } catch (IllegalArgumentException e) {
      fail(BackendFailure.PROTOCOL, "upstream sent invalid response: \"" + line + "\"", Optional.of(line + "\r\n"));
      return;
    }
    if (complete.isPresent()) {
      onReply(ctx, complete.get());
    }
  }

  private void onReply(ChannelHandlerContext ctx, SmtpReply reply) {
    switch (state) {
      case GREETING:
        expect(reply, 220, startTlsRequired() ? this::sendStartTlsEhlo : this::sendServerHelo, ctx);
        break;
      case STARTTLS_EHLO:
        if (reply.code() != 250) {
          invalid(reply, BackendFailure.PROTOCOL);
        } else if (!reply.ehloKeywords().contains("STARTTLS")) {
          fail(BackendFailure.REMOTE_CONFIG, "upstream does not support STARTTLS", Optional.empty());
        } else {
          state = State.STARTTLS;
          send(ctx, "STARTTLS".getBytes(StandardCharsets.US_ASCII));
        }
        break;
      case STARTTLS:
        if (reply.code() == 220) {
          upgradeToTls(ctx, () -> sendServerHelo(ctx));
        } else {
          fail(BackendFailure.REMOTE_CONFIG, "upstream rejected STARTTLS: \"" + reply.lastLine() + "\"",
              Optional.empty());
        }
        break;
      case SERVER_HELO:
        if (reply.code() == 250) {
          noteExtensions(reply);
          announcesXclient = backendExtensions != null && backendExtensions.contains("XCLIENT");
          if (ehloInFlight) {
            xclientAttributes = reply.ehloParameters("XCLIENT").orElse(List.of());
          }
          if (plan.xclient()) {
            sendXclient(ctx);
          } else {
            afterHelo(ctx);
          }
        } else {
          invalid(reply, BackendFailure.PROTOCOL);
        }
        break;
      case XCLIENT:
        onXclientReply(ctx, reply);
        break;
      case CLIENT_HELO:
        if (reply.code() == 250) {
          noteExtensions(reply);
          afterHelo(ctx);
        } else {
          invalid(reply, BackendFailure.PROTOCOL);
        }
        break;
      case AUTH_CONTINUE:
        if (reply.code() == 334) {
          state = State.AUTH;
          send(ctx, authPlain);
          wipeAuth();
        } else {
          wipeAuth();
          invalid(reply, BackendFailure.AUTH_REJECTED);
        }
        break;
      case AUTH:
        expect(reply, 235, c -> succeed(AUTH_OK), ctx);
        break;
      case TOKEN_CONTINUE:
      case TOKEN_AUTH:
      case TOKEN_FAILURE:
        onTokenReply(ctx, reply);
        break;
      case MAIL_FROM:
        expect(reply, 250, c -> {
          state = State.RCPT_TO;
          send(c, plan.envelope().orElseThrow().rcptTo());
        }, ctx);
        break;
      default:
        // nginx relays the backend's answer to the replayed RCPT TO as it is, refusal included (mail_smtp.t).
        succeed(reply.wire());
        break;
    }
  }

  private void sendStartTlsEhlo(ChannelHandlerContext ctx) {
    state = State.STARTTLS_EHLO;
    send(ctx, ("EHLO " + plan.serverName()).getBytes(StandardCharsets.ISO_8859_1));
  }

  private void sendServerHelo(ChannelHandlerContext ctx) {
    ehloInFlight = plan.clientEsmtp() || plan.xclient();
    state = State.SERVER_HELO;
    send(ctx, ((ehloInFlight ? "EHLO " : "HELO ") + plan.serverName()).getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * nginx's XCLIENT, or the attributes the backend listed ({@link SmtpXclient}). The reply (220 from Postfix, which
   * then wants HELO/EHLO again) is handled by {@link #onXclientReply}.
   */
  private void sendXclient(ChannelHandlerContext ctx) {
    // LOGIN= tells Postfix who authenticated; with proxy_smtp_auth the backend learns it from AUTH instead.
    Optional<byte[]> login = user.length > 0 && !plan.proxySmtpAuth() && tokenMechanism().isEmpty()
        ? Optional.of(user) : Optional.empty();
    String command;
    if (xclientAttributes.isEmpty()) {
      command = plan.client().nginxCommand(login);
    } else {
      Optional<String> listed = plan.client().command(xclientAttributes, login);
      if (listed.isEmpty()) {
        plan.log().warn("upstream's XCLIENT takes none of ADDR, PORT, PROTO, HELO, LOGIN, NAME, DESTADDR, DESTPORT; "
            + "no XCLIENT sent");
        afterHelo(ctx);
        return;
      }
      if (login.isPresent() && !xclientAttributes.stream().anyMatch(a -> a.equalsIgnoreCase("LOGIN"))) {
        plan.log().warn("upstream's XCLIENT does not take LOGIN; it is not told who logged in");
      }
      command = listed.get();
    }
    state = State.XCLIENT;
    send(ctx, command.getBytes(StandardCharsets.ISO_8859_1));
  }

  private void onXclientReply(ChannelHandlerContext ctx, SmtpReply reply) {
    if (reply.code() != 220 && reply.code() != 250) {
      String hint = announcesXclient ? "the backend does not trust this proxy's address for XCLIENT"
          : "the backend does not announce XCLIENT; set \"xclient off\" or allow it on the backend";
      fail(BackendFailure.REMOTE_CONFIG, "upstream rejected XCLIENT: \"" + reply.lastLine() + "\" (" + hint + ")",
          Optional.of(reply.wire()));
      return;
    }
    Optional<byte[]> clientHelo = plan.clientHelo();
    if (clientHelo.isPresent()) {
      ehloInFlight = plan.clientEsmtp();
      state = State.CLIENT_HELO;
      send(ctx, clientHelo.get());
    } else if (reply.code() == 220) {
      // A new greeting: the backend has reset the session and wants HELO/EHLO again before AUTH or MAIL.
      ehloInFlight = true;
      state = State.CLIENT_HELO;
      send(ctx, ("EHLO " + plan.serverName()).getBytes(StandardCharsets.ISO_8859_1));
    } else {
      afterHelo(ctx);
    }
  }

  private void afterHelo(ChannelHandlerContext ctx) {
    warnAboutUnannouncedExtensions();
    if (plan.envelope().isPresent()) {
      state = State.MAIL_FROM;
      send(ctx, plan.envelope().get().mailFrom());
    } else if (tokenMechanism().isPresent()) {
      sendTokenAuth(ctx, tokenMechanism().get());
    } else if (plan.proxySmtpAuth()) {
      sendAuth(ctx);
    } else {
      succeed(AUTH_OK);
    }
  }

  private void sendAuth(ChannelHandlerContext ctx) {
    if (password.length == 0) {
      // CRAM-MD5 and EXTERNAL leave no password unless the auth service sends Auth-Pass.
      fail(BackendFailure.INTERNAL, "no password available", Optional.empty());
      return;
    }
    byte[] message = new byte[user.length + password.length + 2];
    System.arraycopy(user, 0, message, 1, user.length);
    System.arraycopy(password, 0, message, user.length + 2, password.length);
    authPlain = Base64.getEncoder().encode(message);
    Arrays.fill(message, (byte) 0);
    byte[] prefix = "AUTH PLAIN".getBytes(StandardCharsets.US_ASCII);
    if (prefix.length + 1 + authPlain.length + 2 <= COMMAND_LINE_LIMIT) {
      state = State.AUTH;
      send(ctx, prefix, new byte[] {' '}, authPlain);
      wipeAuth();
    } else {
      state = State.AUTH_CONTINUE;
      send(ctx, prefix);
    }
  }

  /** {@code AUTH <mechanism>} with the client's token, as initial response when the command line has room for it. */
  private void sendTokenAuth(ChannelHandlerContext ctx, Mechanism mechanism) {
    byte[] prefix = ("AUTH " + mechanism.saslName()).getBytes(StandardCharsets.US_ASCII);
    byte[] response = tokenInitialResponse();
    try {
      if (prefix.length + 1 + response.length + CRLF.length <= COMMAND_LINE_LIMIT) {
        state = State.TOKEN_AUTH;
        send(ctx, prefix, new byte[] {' '}, response);
      } else {
        state = State.TOKEN_CONTINUE;
        send(ctx, prefix);
      }
    } finally {
      Arrays.fill(response, (byte) 0);
    }
  }

  private void onTokenReply(ChannelHandlerContext ctx, SmtpReply reply) {
    if (reply.code() == 235 && state != State.TOKEN_CONTINUE) {
      succeed(AUTH_OK);
    } else if (reply.code() == 334 && state == State.TOKEN_CONTINUE) {
      state = State.TOKEN_AUTH;
      byte[] response = tokenInitialResponse();
      try {
        send(ctx, response);
      } finally {
        Arrays.fill(response, (byte) 0);
      }
    } else if (reply.code() == 334 && state == State.TOKEN_AUTH) {
      // RFC 7628 §3.2.2: the token was refused; the dummy response gets the final 535.
      state = State.TOKEN_FAILURE;
      send(ctx, SaslClientPayloads.errorChallengeAck(tokenMechanism().orElseThrow()));
    } else if (reply.code() == 334) {
      fail(BackendFailure.PROTOCOL, "upstream sent a second challenge after an error challenge", Optional.empty());
    } else {
      invalid(reply, reply.code() >= 400 ? BackendFailure.AUTH_REJECTED : BackendFailure.PROTOCOL);
    }
  }

  private void noteExtensions(SmtpReply reply) {
    if (ehloInFlight) {
      backendExtensions = reply.ehloKeywords();
    }
  }

  /** The client built its session on {@code smtp_capabilities}; a backend without one of them will surprise it. */
  private void warnAboutUnannouncedExtensions() {
    if (!plan.clientEsmtp() || backendExtensions == null) {
      return;
    }
    for (String keyword : plan.promised()) {
      if (!backendExtensions.contains(keyword)) {
        plan.log().warn("upstream does not announce \"" + keyword + "\" promised to the client in smtp_capabilities");
      }
    }
  }

  private void expect(SmtpReply reply, int code, Consumer<ChannelHandlerContext> next,
      ChannelHandlerContext ctx) {
    if (reply.code() == code) {
      next.accept(ctx);
    } else {
      invalid(reply, state == State.AUTH ? BackendFailure.AUTH_REJECTED : BackendFailure.PROTOCOL);
    }
  }

  private void invalid(SmtpReply reply, BackendFailure failure) {
    fail(failure, "upstream sent invalid response: \"" + reply.lastLine() + "\"", Optional.of(reply.wire()));
  }

  private void wipeAuth() {
    if (authPlain != null) {
      Arrays.fill(authPlain, (byte) 0);
      authPlain = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    wipeAuth();
  }

  /** Writes the parts and CRLF as one command. */
  private static void send(ChannelHandlerContext ctx, byte[]... parts) {
    int length = CRLF.length;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuf out = ctx.alloc().buffer(length);
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    ctx.writeAndFlush(out.writeBytes(CRLF));
  }
}
