package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/** A POP3 (RFC 1939, RFC 5034) load-generator session. */
final class Pop3ClientSession extends ClientSession {

  private enum State { GREETING, USER, PASS, AUTH, READY, NOOP, RETR, QUIT }

  private State state = State.GREETING;

  Pop3ClientSession(LoginSpec spec, Listener listener) {
    super(spec, listener);
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (line.startsWith("-ERR")) {
      fail(state + " failed: " + line);
      return;
    }
    if (!line.startsWith("+OK")) {
      if (line.startsWith("+")) {
        continueExchange(line);
      } else {
        fail("unexpected line while " + state);
      }
      return;
    }
    switch (state) {
      case GREETING:
        login();
        break;
      case USER:
        state = State.PASS;
        send("PASS " + spec.password());
        break;
      case PASS:
      case AUTH:
        state = State.READY;
        loggedInNow();
        break;
      case NOOP:
        state = State.READY;
        commandOk();
        break;
      case RETR:
        expectData();
        break;
      case QUIT:
        loggedOutNow();
        break;
      default:
        fail("unexpected +OK while " + state);
    }
  }

  @Override
  protected void onDataEnd(ChannelHandlerContext ctx, long bytes) {
    super.onDataEnd(ctx, bytes);
    state = State.READY;
    commandOk();
  }

  private void login() {
    if ("login".equals(spec.auth())) {
      state = State.USER;
      send("USER " + spec.user());
    } else if (spec.saslIr()) {
      state = State.AUTH;
      send("AUTH " + spec.mechanism() + " " + spec.initialResponse());
    } else {
      state = State.AUTH;
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
    state = State.RETR;
    beginCommand();
    send("RETR 1");
  }

  @Override
  public void append(ByteBuf message, int size) {
    throw new UnsupportedOperationException("POP3 has no upload");
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
