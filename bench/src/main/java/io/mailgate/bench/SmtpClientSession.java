package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/** An SMTP submission (RFC 5321, RFC 4954 AUTH) load-generator session. */
final class SmtpClientSession extends ClientSession {

  private enum State { GREETING, EHLO, AUTH, READY, NOOP, QUIT }

  private State state = State.GREETING;

  SmtpClientSession(LoginSpec spec, Listener listener) {
    super(spec, listener);
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (!smtpFinal(line)) {
      return;
    }
    String code = line.length() >= 3 ? line.substring(0, 3) : line;
    switch (state) {
      case GREETING:
        if (expect(code, "220", line)) {
          state = State.EHLO;
          send("EHLO loadgen.example.com");
        }
        break;
      case EHLO:
        if (expect(code, "250", line)) {
          auth();
        }
        break;
      case AUTH:
        if ("334".equals(code)) {
          continueExchange(line);
        } else if ("235".equals(code)) {
          state = State.READY;
          loggedInNow();
        } else {
          fail("AUTH failed: " + line);
        }
        break;
      case NOOP:
        if (expect(code, "250", line)) {
          state = State.READY;
          commandOk();
        }
        break;
      case QUIT:
        if (expect(code, "221", line)) {
          loggedOutNow();
        }
        break;
      default:
        fail("unexpected reply while " + state);
    }
  }

  /** True if the reply has the expected code; else fails the session. */
  private boolean expect(String code, String expected, String line) {
    if (expected.equals(code)) {
      return true;
    }
    fail(state + " failed: " + line);
    return false;
  }

  private void auth() {
    state = State.AUTH;
    if ("login".equals(spec.auth())) {
      continuations.add(() -> send(LoginSpec.base64(spec.user())));
      continuations.add(() -> send(LoginSpec.base64(spec.password())));
      send("AUTH LOGIN");
    } else if (spec.saslIr()) {
      send("AUTH " + spec.mechanism() + " " + spec.initialResponse());
    } else {
      continuations.add(() -> send(spec.initialResponse()));
      send("AUTH " + spec.mechanism());
    }
  }

  @Override
  public void noop() {
    state = State.NOOP;
    beginCommand();
    send("NOOP");
  }

  @Override
  public void fetch() {
    throw new UnsupportedOperationException("SMTP has no download");
  }

  @Override
  public void append(ByteBuf message, int size) {
    throw new UnsupportedOperationException("relay-append is IMAP only");
  }

  @Override
  public void logout() {
    state = State.QUIT;
    beginCommand();
    send("QUIT");
  }

  @Override
  protected String state() {
    return state.toString();
  }
}
