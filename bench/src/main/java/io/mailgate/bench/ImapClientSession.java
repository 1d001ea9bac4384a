package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/** An IMAP (RFC 3501) load-generator session. */
final class ImapClientSession extends ClientSession {

  private enum State { GREETING, LOGIN, SELECT, READY, NOOP, FETCH, APPEND, LOGOUT }

  private State state = State.GREETING;
  private String tag;
  private int sequence;
  private boolean byeSeen;

  ImapClientSession(LoginSpec spec, Listener listener) {
    super(spec, listener);
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (line.isEmpty()) {
      return;
    }
    char first = line.charAt(0);
    if (first == '*') {
      untagged(ctx, line);
    } else if (first == '+') {
      continueExchange(line);
    } else if (tag != null && line.length() > tag.length() + 2 && line.startsWith(tag)
        && line.charAt(tag.length()) == ' ') {
      tagged(line);
    }
    // Anything else (the ")" closing a FETCH response) needs no action.
  }

  private void untagged(ChannelHandlerContext ctx, String line) {
    Wire.Literal literal = Wire.literalAtEnd(line);
    if (literal != null) {
      expectLiteral(ctx, literal.length(), false);
    }
    if (state == State.GREETING) {
      if (line.startsWith("* OK")) {
        login();
      } else {
        fail("greeting: " + line);
      }
    } else if (line.startsWith("* BYE")) {
      byeSeen = true;
    }
  }

  private void tagged(String line) {
    continuations.clear();
    if (!line.startsWith("OK", tag.length() + 1)) {
      fail(state + " failed: " + line);
      return;
    }
    switch (state) {
      case LOGIN:
        if (spec.select()) {
          state = State.SELECT;
          send(nextTag() + " SELECT INBOX");
        } else {
          state = State.READY;
          loggedInNow();
        }
        break;
      case SELECT:
        state = State.READY;
        loggedInNow();
        break;
      case NOOP:
      case FETCH:
      case APPEND:
        state = State.READY;
        commandOk();
        break;
      case LOGOUT:
        loggedOutNow();
        break;
      default:
        fail("unexpected tagged reply while " + state);
    }
  }

  private void login() {
    state = State.LOGIN;
    String t = nextTag();
    String user = spec.user();
    String password = spec.password();
    if (!"login".equals(spec.auth())) {
      if (spec.saslIr()) {
        send(t + " AUTHENTICATE " + spec.mechanism() + " " + spec.initialResponse());
      } else {
        continuations.add(() -> send(spec.initialResponse()));
        send(t + " AUTHENTICATE " + spec.mechanism());
      }
      return;
    }
    switch (spec.loginForm()) {
      case "atom":
        send(t + " LOGIN " + user + " " + password);
        break;
      case "literal-plus":
        send(t + " LOGIN {" + LoginSpec.octets(user) + "+}\r\n" + user + " {" + LoginSpec.octets(password) + "+}\r\n"
            + password);
        break;
      case "literal":
        continuations.add(() -> send(user + " {" + LoginSpec.octets(password) + "}"));
        continuations.add(() -> send(password));
        send(t + " LOGIN {" + LoginSpec.octets(user) + "}");
        break;
      default:
        send(t + " LOGIN " + quoted(user) + " " + quoted(password));
    }
  }

  @Override
  public void noop() {
    state = State.NOOP;
    beginCommand();
    send(nextTag() + " NOOP");
  }

  @Override
  public void fetch() {
    state = State.FETCH;
    beginCommand();
    send(nextTag() + (spec.uidFetch() ? " UID FETCH 1 BODY[]" : " FETCH 1 BODY[]"));
  }

  @Override
  public void append(ByteBuf message, int size) {
    state = State.APPEND;
    beginCommand();
    String t = nextTag();
    if (spec.syncLiteral()) {
      continuations.add(() -> sendWithMessage(null, message));
      send(t + " APPEND INBOX {" + size + "}");
    } else {
      sendWithMessage(t + " APPEND INBOX {" + size + "+}\r\n", message);
    }
  }

  @Override
  public void logout() {
    state = State.LOGOUT;
    beginCommand();
    send(nextTag() + " LOGOUT");
  }

  @Override
  protected void onPeerClosed() {
    if (state == State.LOGOUT && byeSeen) {
      loggedOutNow();
    } else {
      super.onPeerClosed();
    }
  }

  @Override
  protected String state() {
    return state.toString();
  }

  private String nextTag() {
    tag = "a" + ++sequence;
    return tag;
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
