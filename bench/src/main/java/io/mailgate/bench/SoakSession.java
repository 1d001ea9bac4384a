package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One soak connection through the proxy to the real IMAP server (RFC 3501): logs in with its mechanism, SELECTs
 * INBOX, then follows its {@link Plan}: an idler IDLEs (RFC 2177) for minutes; a worker FETCHes seeded messages
 * (each checked against the seeded SHA-256), APPENDs generated ones (each found again by its APPENDUID, RFC 4315, read
 * back and checked, then expunged so the mailbox keeps its size), NOOPs and IDLEs briefly. A session ends by LOGOUT
 * or, when its plan says so, by an abrupt close (after login, inside a FETCH literal, inside an APPEND literal, in
 * IDLE). Every reply is awaited with a timeout. Anything not in the plan is an unexpected error. Runs on its
 * channel's event loop only.
 */
final class SoakSession extends LineHandler {

  /** The login mechanisms exercised, each through the proxy's auth_http path to the backend. */
  enum Mech { LOGIN_QUOTED, LOGIN_LITERAL, PLAIN_IR, PLAIN, LOGIN_SASL, CRAM_MD5, XOAUTH2, OAUTHBEARER;

    /** Whether a wrong password can be tried with it (bearer failures take the RFC 7628 error round instead). */
    boolean hasPassword() {
      return this != XOAUTH2 && this != OAUTHBEARER;
    }
  }

  /** Where a session leaves without logging out. */
  enum Abrupt { NONE, AFTER_LOGIN, MID_FETCH, MID_APPEND, IN_IDLE, IN_LONG_IDLE }

  /** A worker's commands. */
  enum Op { FETCH, APPEND, NOOP, IDLE }

  /**
   * What one session does.
   *
   * @param idler hold one long IDLE, else run {@code ops}
   * @param account who logs in
   * @param mech how
   * @param badPassword log in with a wrong password and expect NO
   * @param ops a worker's commands, in order
   * @param abrupt how the session ends
   * @param idleMillis an idler's IDLE, or a worker's short IDLEs
   * @param seed for the sizes and contents of APPENDs and the choice of FETCHed messages
   * @param syncLiteral APPEND with {@code {n}} and wait for {@code +}, else {@code {n+}} (RFC 7888)
   */
  record Plan(boolean idler, SoakAccounts.Account account, Mech mech, boolean badPassword, List<Op> ops,
      Abrupt abrupt, long idleMillis, long seed, boolean syncLiteral) {}

  /** The soak, as a session sees it. */
  interface Host {
    SoakStats stats();

    /** What the seeder stored for {@code user}. */
    List<SoakSeeder.Stored> stored(String user);

    /** The size of the next APPEND, from {@code random}. */
    int appendSize(java.util.SplittableRandom random);

    /** Whether the run is ending: finish the current command and log out. */
    boolean stopping();

    /** The login finished, either way (frees a slot of the login ramp). */
    void loginSettled(SoakSession session);

    /** The session is over (its slot may start another). */
    void ended(SoakSession session);
  }

  private enum State {
    CONNECTING, GREETING, LOGIN, SELECT, READY, FETCH, APPEND, VERIFY, STORE, EXPUNGE, NOOP, IDLE_START, IDLING,
    IDLE_DONE, LOGOUT, ENDED
  }

  private static final Pattern APPEND_UID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");
  private static final Pattern UID = Pattern.compile("UID (\\d+)");

  private final Plan plan;
  private final Host host;
  private final long timeoutMillis;
  private final java.util.SplittableRandom random;
  private final ArrayDeque<Consumer<String>> continuations = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private State state = State.CONNECTING;
  private int sequence;
  private String tag;
  private boolean byeSeen;
  private boolean loginSettled;
  private int opIndex;
  private ScheduledFuture<?> timer;
  private ScheduledFuture<?> idleTimer;
  private boolean stopAsked;
  // The FETCH in progress: the message expected, and the body literal seen so far.
  private long expectUid;
  private int expectSize;
  private byte[] expectDigest;
  private MessageDigest bodyDigest;
  private long bodyLength = -1;
  private long bodyUid = -1;
  private boolean bodyTailPending;
  private int bodies;
  private byte[] bodyResult;
  private boolean closeInLiteral;
  // The APPEND in progress.
  private ByteBuf appendMessage;
  private int appendSize;
  private byte[] appendDigest;
  private long appendedUid;

  SoakSession(Plan plan, Host host, long timeoutMillis) {
    this.plan = plan;
    this.host = host;
    this.timeoutMillis = timeoutMillis;
    this.random = new java.util.SplittableRandom(plan.seed());
  }

  Plan plan() {
    return plan;
  }

  /** Asks the session to end politely soon (the run is over); call on its event loop. */
  void stop() {
    stopAsked = true;
    if (state == State.IDLING) {
      cancelIdleTimer();
      idleDone();
    }
  }

  /** Runs {@code task} on the session's event loop. */
  void channelLoop(Runnable task) {
    if (ctx != null) {
      ctx.executor().execute(task);
    } else {
      task.run();
    }
  }

  /** The connect failed; the session is over. */
  void connectFailed(Throwable cause) {
    fail("connect: " + cause);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    host.stats().open.incrementAndGet();
    host.stats().connects.increment();
    state = State.GREETING;
    arm();
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    host.stats().open.decrementAndGet();
    if (state != State.ENDED) {
      if (state == State.LOGOUT && byeSeen) {
        host.stats().logouts.increment();
        end();
      } else {
        fail("connection closed while " + state);
      }
    }
    releaseAppend();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause.getClass().getSimpleName() + ": " + cause.getMessage() + " while " + state);
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (state == State.ENDED) {
      return;
    }
    if (bodyTailPending) {
      // The rest of a FETCH response after its body literal, e.g. " UID 7)" or ")".
      bodyTailPending = false;
      if (bodyUid < 0) {
        Matcher m = UID.matcher(line);
        if (m.find()) {
          bodyUid = Long.parseLong(m.group(1));
        }
      }
      return;
    }
    if (line.isEmpty()) {
      return;
    }
    char first = line.charAt(0);
    if (first == '*') {
      untagged(ctx, line);
    } else if (first == '+') {
      Consumer<String> next = continuations.poll();
      if (next == null) {
        fail("unexpected continuation while " + state + ": " + line);
      } else {
        arm();
        next.accept(line.length() > 2 ? line.substring(2) : "");
      }
    } else if (tag != null && line.startsWith(tag + " ")) {
      tagged(line.substring(tag.length() + 1));
    }
  }

  private void untagged(ChannelHandlerContext ctx, String line) {
    Wire.Literal literal = Wire.literalAtEnd(line);
    if (state == State.GREETING) {
      if (line.startsWith("* OK")) {
        login();
      } else {
        fail("greeting: " + line);
      }
      return;
    }
    if (line.startsWith("* BYE")) {
      byeSeen = true;
    }
    if (literal == null) {
      return;
    }
    boolean body = (state == State.FETCH || state == State.VERIFY) && line.contains(" FETCH (")
        && line.regionMatches(literal.start() - 7, "BODY[] ", 0, 7);
    if (body) {
      bodies++;
      bodyDigest = SoakMessage.newDigest();
      bodyLength = literal.length();
      Matcher m = UID.matcher(line);
      bodyUid = m.find() ? Long.parseLong(m.group(1)) : -1;
      bodyTailPending = true;
    }
    expectLiteral(ctx, literal.length(), false);
  }

  @Override
  protected void onLiteralBytes(ByteBuf in, int index, int length) {
    if (bodyDigest == null) {
      return;
    }
    if (closeInLiteral) {
      // The plan's abrupt end: leave in the middle of the message (the proxy is mid-relay).
      abrupt(Abrupt.MID_FETCH);
      return;
    }
    bodyDigest.update(in.nioBuffer(index, length));
    arm();
  }

  @Override
  protected void onLiteral(ChannelHandlerContext ctx, ByteBuf collected, long length) {
    if (bodyDigest != null) {
      bodyResult = bodyDigest.digest();
      bodyDigest = null;
    }
  }

  private void tagged(String rest) {
    boolean ok = rest.startsWith("OK");
    continuations.clear();
    if (state == State.LOGIN) {
      settleLogin();
      if (plan.badPassword()) {
        if (ok) {
          fail("a wrong password was accepted (" + plan.mech() + ")");
        } else {
          host.stats().loginsRejectedAsExpected.increment();
          end();
        }
        return;
      }
      if (!ok) {
        fail("login " + plan.mech() + " refused: " + rest);
        return;
      }
      host.stats().loginsOk.get(plan.mech()).increment();
      state = State.SELECT;
      send("SELECT INBOX");
      return;
    }
    if (!ok) {
      fail(state + " failed: " + rest);
      return;
    }
    switch (state) {
      case SELECT -> {
        if (plan.abrupt() == Abrupt.AFTER_LOGIN) {
          abrupt(Abrupt.AFTER_LOGIN);
        } else if (plan.idler()) {
          idle(plan.idleMillis());
        } else {
          next();
        }
      }
      case FETCH -> {
        if (checkBody(expectUid, expectSize, expectDigest, "FETCH")) {
          host.stats().fetchVerified.increment();
          host.stats().fetchBytes.add(expectSize);
          host.stats().moved(expectSize);
          next();
        }
      }
      case APPEND -> {
        Matcher m = APPEND_UID.matcher(rest);
        if (!m.find()) {
          host.stats().appendMissing.increment();
          fail("APPEND without APPENDUID: " + rest);
          return;
        }
        appendedUid = Long.parseLong(m.group(1));
        state = State.VERIFY;
        startBody(appendedUid, appendSize, appendDigest);
        send("UID FETCH " + appendedUid + " BODY.PEEK[]");
      }
      case VERIFY -> {
        if (bodies == 0) {
          host.stats().appendMissing.increment();
          fail("appended UID " + appendedUid + " not found");
          return;
        }
        if (checkBody(appendedUid, appendSize, appendDigest, "APPEND")) {
          host.stats().appendVerified.increment();
          host.stats().appendBytes.add(appendSize);
          host.stats().moved(appendSize);
          state = State.STORE;
          send("UID STORE " + appendedUid + " +FLAGS.SILENT (\\Deleted)");
        }
      }
      case STORE -> {
        state = State.EXPUNGE;
        send("UID EXPUNGE " + appendedUid);
      }
      case EXPUNGE, NOOP -> next();
      case IDLE_DONE -> {
        host.stats().idles.increment();
        if (plan.idler()) {
          logout();
        } else {
          next();
        }
      }
      case LOGOUT -> {
        host.stats().logouts.increment();
        end();
      }
      default -> fail("unexpected tagged reply while " + state + ": " + rest);
    }
  }

  /** Whether the FETCH just completed brought exactly the expected message; fails the session if not. */
  private boolean checkBody(long uid, int size, byte[] digest, String what) {
    if (bodies != 1 || bodyResult == null) {
      if (bodies == 0 && "FETCH".equals(what)) {
        host.stats().fetchMismatch.increment();
      }
      fail(what + " of UID " + uid + ": " + bodies + " bodies in the response");
      return false;
    }
    if (bodyUid >= 0 && bodyUid != uid || bodyLength != size || !SoakMessage.same(bodyResult, digest)) {
      host.stats().fetchMismatch.increment();
      fail(what + " of UID " + uid + " (" + size + " bytes) came back different: UID " + bodyUid + ", "
          + bodyLength + " bytes" + (bodyLength == size ? ", other content" : ""));
      return false;
    }
    return true;
  }

  private void startBody(long uid, int size, byte[] digest) {
    expectUid = uid;
    expectSize = size;
    expectDigest = digest;
    bodies = 0;
    bodyResult = null;
    bodyUid = -1;
    bodyLength = -1;
  }

  private void login() {
    state = State.LOGIN;
    SoakAccounts.Account a = plan.account();
    String user = a.user();
    String password = plan.badPassword() ? a.password() + "-wrong" : a.password();
    switch (plan.mech()) {
      case LOGIN_QUOTED -> send("LOGIN \"" + user + "\" \"" + password + "\"");
      case LOGIN_LITERAL -> {
        continuations.add(c -> sendRaw(user + " {" + password.length() + "}\r\n"));
        continuations.add(c -> sendRaw(password + "\r\n"));
        send("LOGIN {" + user.length() + "}");
      }
      case PLAIN_IR -> send("AUTHENTICATE PLAIN " + b64("\0" + user + "\0" + password));
      case PLAIN -> {
        continuations.add(c -> sendRaw(b64("\0" + user + "\0" + password) + "\r\n"));
        send("AUTHENTICATE PLAIN");
      }
      case LOGIN_SASL -> {
        continuations.add(c -> sendRaw(b64(user) + "\r\n"));
        continuations.add(c -> sendRaw(b64(password) + "\r\n"));
        send("AUTHENTICATE LOGIN");
      }
      case CRAM_MD5 -> {
        continuations.add(challenge -> {
          String salt = new String(Base64.getDecoder().decode(challenge.trim()), StandardCharsets.UTF_8);
          sendRaw(b64(user + " " + SoakAccounts.cramMd5(password, salt)) + "\r\n");
        });
        send("AUTHENTICATE CRAM-MD5");
      }
      case XOAUTH2 -> send("AUTHENTICATE XOAUTH2 " + b64("user=" + user + "\u0001auth=Bearer " + a.token()
          + "\u0001\u0001"));
      case OAUTHBEARER -> send("AUTHENTICATE OAUTHBEARER " + b64("n,a=" + user + ",\u0001host=127.0.0.1"
          + "\u0001port=143\u0001auth=Bearer " + a.token() + "\u0001\u0001"));
      default -> throw new IllegalStateException(plan.mech().toString());
    }
  }

  /** The worker's next command, or the end of the session. */
  private void next() {
    state = State.READY;
    if (stopAsked || host.stopping()) {
      logout();
      return;
    }
    if (opIndex >= plan.ops().size()) {
      if (plan.abrupt() == Abrupt.NONE) {
        logout();
      } else {
        abrupt(plan.abrupt());
      }
      return;
    }
    boolean last = opIndex == plan.ops().size() - 1;
    Op op = plan.ops().get(opIndex++);
    switch (op) {
      case FETCH -> fetch(last && plan.abrupt() == Abrupt.MID_FETCH);
      case APPEND -> append(last && plan.abrupt() == Abrupt.MID_APPEND);
      case NOOP -> {
        host.stats().noops.increment();
        state = State.NOOP;
        send("NOOP");
      }
      case IDLE -> idle(last && plan.abrupt() == Abrupt.IN_IDLE ? -1 : plan.idleMillis());
      default -> throw new IllegalStateException(op.toString());
    }
  }

  private void fetch(boolean leaveInside) {
    List<SoakSeeder.Stored> stored = host.stored(plan.account().user());
    SoakSeeder.Stored s = stored.get(random.nextInt(stored.size()));
    if (leaveInside) {
      // A literal large enough to span several reads, so the close lands mid-relay.
      for (SoakSeeder.Stored t : stored) {
        if (t.size() > s.size()) {
          s = t;
        }
      }
      closeInLiteral = true;
    }
    state = State.FETCH;
    startBody(s.uid(), s.size(), s.sha256());
    send("UID FETCH " + s.uid() + " BODY.PEEK[]");
  }

  private void append(boolean leaveInside) {
    appendSize = host.appendSize(random);
    String id = "append-" + Long.toHexString(plan.seed()) + "-" + opIndex;
    int min = SoakMessage.minimumSize(id);
    appendSize = appendSize <= min ? min : Math.max(appendSize, min + 2);
    appendMessage = SoakMessage.build(ctx.alloc(), id, random.nextLong(), appendSize);
    appendDigest = SoakMessage.sha256(appendMessage);
    state = State.APPEND;
    if (leaveInside) {
      // Half the literal, then gone: the backend must drop the partial message.
      ByteBuf half = appendMessage.retainedSlice(0, appendSize / 2);
      releaseAppend();
      String t = nextTag();
      ctx.write(Wire.ascii(ctx.alloc(), t + " APPEND INBOX {" + appendSize + "+}\r\n"));
      ctx.writeAndFlush(half).addListener(f -> abrupt(Abrupt.MID_APPEND));
      return;
    }
    if (plan.syncLiteral()) {
      continuations.add(c -> {
        ctx.write(takeAppend());
        sendRaw("\r\n");
      });
      send("APPEND INBOX {" + appendSize + "}");
    } else {
      String t = nextTag();
      arm();
      ctx.write(Wire.ascii(ctx.alloc(), t + " APPEND INBOX {" + appendSize + "+}\r\n"));
      ctx.write(takeAppend());
      ctx.writeAndFlush(Wire.ascii(ctx.alloc(), "\r\n"));
    }
  }

  /** IDLE; DONE after {@code millis}, or an abrupt close once idling when {@code millis} is negative. */
  private void idle(long millis) {
    state = State.IDLE_START;
    continuations.add(c -> {
      state = State.IDLING;
      disarm();
      if (stopAsked) {
        idleDone();
      } else if (millis < 0) {
        abrupt(Abrupt.IN_IDLE);
      } else {
        idleTimer = ctx.executor().schedule(() -> {
          if (plan.idler() && plan.abrupt() == Abrupt.IN_LONG_IDLE) {
            abrupt(Abrupt.IN_LONG_IDLE);
          } else {
            idleDone();
          }
        }, millis, TimeUnit.MILLISECONDS);
      }
    });
    send("IDLE");
  }

  private void idleDone() {
    if (state != State.IDLING) {
      return;
    }
    state = State.IDLE_DONE;
    arm();
    sendRaw("DONE\r\n");
  }

  private void logout() {
    state = State.LOGOUT;
    send("LOGOUT");
  }

  private void abrupt(Abrupt how) {
    if (state == State.ENDED) {
      return;
    }
    host.stats().abrupt.get(how).increment();
    end();
  }

  private void fail(String reason) {
    if (state == State.ENDED) {
      return;
    }
    host.stats().unexpected(reason.length() > 160 ? reason.substring(0, 160) : reason);
    end();
  }

  private void end() {
    state = State.ENDED;
    settleLogin();
    disarm();
    cancelIdleTimer();
    continuations.clear();
    releaseAppend();
    if (ctx != null) {
      ctx.close();
    }
    host.ended(this);
  }

  private void settleLogin() {
    if (!loginSettled) {
      loginSettled = true;
      host.loginSettled(this);
    }
  }

  private ByteBuf takeAppend() {
    ByteBuf m = appendMessage;
    appendMessage = null;
    return m;
  }

  private void releaseAppend() {
    if (appendMessage != null) {
      appendMessage.release();
      appendMessage = null;
    }
  }

  private String nextTag() {
    tag = "t" + ++sequence;
    return tag;
  }

  private void send(String command) {
    arm();
    ctx.writeAndFlush(Wire.ascii(ctx.alloc(), nextTag() + " " + command + "\r\n"));
  }

  private void sendRaw(String text) {
    arm();
    ctx.writeAndFlush(Wire.ascii(ctx.alloc(), text));
  }

  /** (Re)starts the reply timeout. */
  private void arm() {
    disarm();
    if (ctx != null) {
      timer = ctx.executor().schedule(() -> fail("no reply within " + timeoutMillis + " ms while " + state),
          timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void cancelIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
