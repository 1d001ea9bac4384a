package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One load-generator connection: logs in, then runs the commands its scenario asks for, and reports each step to a
 * {@link Listener} on the connection's event loop. A session ends exactly once, logged out or failed. The command
 * methods must be called on the event loop (from a listener callback, or through {@link #runOnLoop}).
 */
public abstract class ClientSession extends LineHandler {

  /** The scenario's view of a session; every call comes on the session's event loop. */
  public interface Listener {

    /** Login (and SELECT, if asked for) succeeded. */
    void loggedIn(ClientSession session);

    /** A NOOP, FETCH/RETR or APPEND completed with OK. */
    void commandDone(ClientSession session);

    /** LOGOUT/QUIT completed; the session is over. */
    void loggedOut(ClientSession session);

    /** Anything else ended the session: a NO/BAD/-ERR, a closed connection, a timeout. */
    void failed(ClientSession session, String reason);
  }

  /** Protocol text truncated for error reports (server lines never echo credentials). */
  private static final int REASON_LIMIT = 120;

  protected final LoginSpec spec;
  protected final Listener listener;
  /** Actions to run on the next continuation request ({@code +} or {@code 334}), in order. */
  protected final ArrayDeque<Runnable> continuations = new ArrayDeque<>();
  protected ChannelHandlerContext ctx;
  private Consumer<ClientSession> onFinished = s -> {};
  private boolean finished;
  /** When a reply became due (nanoTime), 0 while nothing is outstanding; read by the watchdog thread. */
  private volatile long waitingSince;
  private long startNanos;
  private long commandStartNanos;
  private long payloadBytes;
  /** Free for the scenario's bookkeeping. */
  public Object attachment;

  protected ClientSession(LoginSpec spec, Listener listener) {
    this.spec = spec;
    this.listener = listener;
  }

  /** Creates a session of the spec's protocol. */
  public static ClientSession create(LoginSpec spec, Listener listener) {
    switch (spec.protocol()) {
      case "pop3":
        return new Pop3ClientSession(spec, listener);
      case "smtp":
        return new SmtpClientSession(spec, listener);
      default:
        return new ImapClientSession(spec, listener);
    }
  }

  /** Sends a no-op command. */
  public abstract void noop();

  /** Downloads the message (IMAP FETCH, POP3 RETR). */
  public abstract void fetch();

  /** Uploads {@code message} (IMAP APPEND); the buffer is not consumed. */
  public abstract void append(ByteBuf message, int size);

  /** Ends the session politely (LOGOUT, QUIT). */
  public abstract void logout();

  /** What the session waits for, for error reports. */
  protected abstract String state();

  /** Called when the peer closed before the session ended; logs out or fails. */
  protected void onPeerClosed() {
    fail("connection closed while " + state());
  }

  /** The channel (null before the connection is set up). */
  public Channel channel() {
    return ctx == null ? null : ctx.channel();
  }

  /** Runs {@code task} on this session's event loop. */
  public void runOnLoop(Runnable task) {
    ctx.executor().execute(task);
  }

  /** When the connection attempt started. */
  public long startNanos() {
    return startNanos;
  }

  /** When the last command was sent. */
  public long commandStartNanos() {
    return commandStartNanos;
  }

  /** Message bytes received since the last call (FETCH literals, RETR data). */
  public long takePayloadBytes() {
    long b = payloadBytes;
    payloadBytes = 0;
    return b;
  }

  void starting(long nanos, Consumer<ClientSession> finishedHook) {
    startNanos = nanos;
    waitingSince = nanos;
    onFinished = finishedHook;
  }

  long waitingSince() {
    return waitingSince;
  }

  /** Fails the session from another thread because its reply is late. */
  void timeout(long waitedNanos) {
    if (ctx != null) {
      runOnLoop(() -> fail("timeout after " + waitedNanos / 1_000_000 + " ms while " + state()));
    }
  }

  /** Fails the session because the connection could not be set up. */
  void connectFailed(Throwable cause) {
    Runnable task = () -> fail("connect: " + cause);
    if (ctx != null) {
      runOnLoop(task);
    } else {
      task.run();
    }
  }

  /** Closes the connection after a finished session. */
  public void close() {
    if (ctx != null) {
      ctx.close();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished) {
      onPeerClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  @Override
  protected void onLiteral(ChannelHandlerContext ctx, ByteBuf collected, long length) {
    payloadBytes += length;
  }

  @Override
  protected void onDataEnd(ChannelHandlerContext ctx, long bytes) {
    payloadBytes += bytes;
  }

  /** Marks the start of a command whose latency the scenario may record. */
  protected final void beginCommand() {
    commandStartNanos = System.nanoTime();
  }

  /** Writes and flushes one line (CRLF added); a reply is now due. */
  protected final void send(String line) {
    waitingSince = System.nanoTime();
    ctx.writeAndFlush(Wire.ascii(ctx.alloc(), line + "\r\n"));
  }

  /** Writes {@code head}, the message and CRLF in one flush; a reply is now due. */
  protected final void sendWithMessage(String head, ByteBuf message) {
    waitingSince = System.nanoTime();
    if (head != null) {
      ctx.write(Wire.ascii(ctx.alloc(), head));
    }
    ctx.write(message.retainedDuplicate());
    ctx.writeAndFlush(Wire.ascii(ctx.alloc(), "\r\n"));
  }

  /** Runs the next queued continuation action, or fails if none is queued. */
  protected final void continueExchange(String line) {
    Runnable next = continuations.poll();
    if (next == null) {
      fail("unexpected continuation request while " + state());
    } else {
      next.run();
    }
  }

  protected final void loggedInNow() {
    waitingSince = 0;
    listener.loggedIn(this);
  }

  protected final void commandOk() {
    waitingSince = 0;
    listener.commandDone(this);
  }

  protected final void loggedOutNow() {
    if (finish()) {
      listener.loggedOut(this);
    }
  }

  /** Ends the session as failed, once, and closes the connection. */
  protected final void fail(String reason) {
    if (finish()) {
      listener.failed(this, reason.length() > REASON_LIMIT ? reason.substring(0, REASON_LIMIT) : reason);
      close();
    }
  }

  private boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    waitingSince = 0;
    continuations.clear();
    onFinished.accept(this);
    return true;
  }

  /** Whether the reply line is a final SMTP reply with the given code ({@code "250 ..."}, not {@code "250-..."}). */
  static boolean smtpFinal(String line) {
    return line.length() < 4 || line.charAt(3) != '-';
  }
}
