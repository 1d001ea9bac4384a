package io.mailgate.auth;

import io.mailgate.auth.AuthResult.Unavailable.Kind;
import io.mailgate.config.AuthHttpConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One auth_http question, from the first byte sent to the answer, then the draining of the body when the
 * connection can go back to the pool. Runs entirely on the caller's event loop, so its fields need no
 * synchronisation. One timer ({@code auth_http_timeout}) bounds connect, send and the response head.
 */
final class AuthExchange {

  private static final Logger log = LoggerFactory.getLogger(HttpAuthClient.class);

  /** A body larger than this is not worth reading to keep the connection. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  private enum Phase {
    /** A fresh connection is being opened. */
    CONNECTING,
    /** The request is sent (or being sent); the head of the response is awaited. */
    AWAITING,
    /** The answer is given; the body is read and discarded so the connection can be reused. */
    DRAINING,
    /** Nothing more to do; the exchange owns no connection. */
    FINISHED
  }

  private final AuthHttpConfig config;
  private final AuthConnector connector;
  private final AuthConnectionPool pool;
  private final AuthRequest request;
  private final EventLoop loop;
  private final CompletableFuture<AuthResult> answer;
  private final AuthResponseParser parser = new AuthResponseParser();

  private Phase phase = Phase.CONNECTING;
  private Channel channel;
  private ScheduledFuture<?> timer;
  private boolean reused;
  private boolean retried;
  private boolean answerStarted;
  private long bodyLeft;

  AuthExchange(AuthHttpConfig config, AuthConnector connector, AuthConnectionPool pool, AuthRequest request,
      EventLoop loop, CompletableFuture<AuthResult> answer) {
    this.config = config;
    this.connector = connector;
    this.pool = pool;
    this.request = request;
    this.loop = loop;
    this.answer = answer;
  }

  /** Starts the exchange; on the loop. */
  void start() {
    timer = loop.schedule(this::onTimeout, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
    Channel idle = pool.poll(loop);
    if (idle != null) {
      send(idle, true);
    } else {
      connect();
    }
  }

  /** Data from the owned connection; takes ownership of {@code data}. */
  void onRead(Channel from, ByteBuf data) {
    try {
      if (from != channel) {
        from.close();
      } else if (phase == Phase.AWAITING) {
        answerStarted |= data.isReadable();
        readHead(data);
      } else if (phase == Phase.DRAINING) {
        drain(data);
      }
    } finally {
      data.release();
    }
  }

  /**
   * The owned connection failed or closed. A pooled connection that fails before any answer byte most likely
   * timed out on the server's side while idle (RFC 9112 §9.3.1 allows retrying then): try once more on a fresh one.
   */
  void onBroken(Channel from, String what) {
    if (from != channel) {
      return;
    }
    dropChannel();
    if (phase == Phase.DRAINING) {
      phase = Phase.FINISHED;
      return;
    }
    if (phase != Phase.AWAITING) {
      return;
    }
    if (reused && !answerStarted && !retried) {
      retried = true;
      log.debug("auth http server {}: pooled connection failed ({}), retrying on a new one", connector.peer(), what);
      connect();
      return;
    }
    fail(Kind.CONNECT, "auth http server " + connector.peer() + " " + what);
  }

  private void connect() {
    phase = Phase.CONNECTING;
    reused = false;
    if (connector.unusable().isPresent()) {
      fail(Kind.CONNECT, connector.unusable().get());
      return;
    }
    ChannelFuture connecting = connector.connect(loop);
    if (connecting == null) {
      fail(Kind.OVERLOADED, "auth http server " + connector.peer() + ": worker_connections are not enough");
      return;
    }
    if (AuthConnector.socketFailed(connecting)) {
      fail(Kind.CONNECT, "auth http server " + connector.peer() + " socket() failed ("
          + io.mailgate.backend.ConnectErrors.describe(connecting.cause()) + ")");
      return;
    }
    channel = connecting.channel();
    connecting.addListener((ChannelFutureListener) this::onConnected);
  }

  private void onConnected(ChannelFuture connecting) {
    Channel ch = connecting.channel();
    if (phase != Phase.CONNECTING || ch != channel) {
      // Timed out meanwhile.
      ch.close();
      return;
    }
    if (!connecting.isSuccess()) {
      Throwable cause = connecting.cause();
      dropChannel();
      boolean timedOut = cause instanceof ConnectTimeoutException;
      fail(timedOut ? Kind.TIMEOUT : Kind.CONNECT, timedOut
          ? "auth http server " + connector.peer() + " timed out"
          : "auth http server " + connector.peer() + " connect() failed (" + AuthConnector.describe(cause) + ")");
      return;
    }
    send(ch, false);
  }

  private void send(Channel ch, boolean pooled) {
    phase = Phase.AWAITING;
    channel = ch;
    reused = pooled;
    AuthConnectionHandler.attach(ch, this);
    log.debug("auth http request to {} on a {} connection, attempt {}", connector.peer(),
        pooled ? "pooled" : "new", request.loginAttempt());
    ch.writeAndFlush(AuthRequestEncoder.encode(config, request, ch.alloc())).addListener(f -> {
      if (!f.isSuccess()) {
        onBroken(ch, "send() failed (" + AuthConnector.describe(f.cause()) + ")");
      }
    });
  }

  private void readHead(ByteBuf data) {
    AuthResponseParser.Status status = parser.feed(data);
    switch (status) {
      case NEED_MORE:
        return;
      case DONE:
        onHead(data);
        return;
      case INVALID_RESPONSE:
        fail(Kind.INVALID_RESPONSE, "auth http server " + connector.peer() + " sent invalid response");
        return;
      case INVALID_HEADER:
        fail(Kind.INVALID_RESPONSE,
            "auth http server " + connector.peer() + " sent invalid header in response");
        return;
      case TOO_LARGE:
        fail(Kind.INVALID_RESPONSE, "auth http server " + connector.peer() + " sent too large response");
        return;
      default:
        throw new IllegalStateException(status.name());
    }
  }

  /** The head is complete; {@code rest} holds the first body bytes. */
  private void onHead(ByteBuf rest) {
    cancelTimer();
    AuthResponse response = parser.response();
    AuthResult result = AuthResponseInterpreter.interpret(response, connector.peer());
    OptionalLong length = response.bodyLength();
    // Without a length the body's end is unknown: close after the head, as nginx always does.
    if (response.keepAlive() && length.isPresent() && length.getAsLong() <= MAX_BODY_BYTES) {
      phase = Phase.DRAINING;
      bodyLeft = length.getAsLong();
      drain(rest);
      if (phase == Phase.DRAINING) {
        timer = loop.schedule(this::onTimeout, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
      }
    } else {
      finishWithoutChannel();
    }
    // Complete last: the caller's continuation may ask again at once and should find the connection pooled.
    complete(result);
  }

  private void drain(ByteBuf data) {
    int n = data.readableBytes();
    if (n > bodyLeft) {
      // More than the declared body: the connection is out of step and cannot be reused.
      finishWithoutChannel();
      return;
    }
    data.skipBytes(n);
    bodyLeft -= n;
    if (bodyLeft == 0) {
      cancelTimer();
      Channel ch = channel;
      AuthConnectionHandler.detach(ch);
      channel = null;
      phase = Phase.FINISHED;
      pool.offer(loop, ch);
    }
  }

  private void onTimeout() {
    if (phase == Phase.CONNECTING || phase == Phase.AWAITING) {
      fail(Kind.TIMEOUT, "auth http server " + connector.peer() + " timed out");
    } else if (phase == Phase.DRAINING) {
      finishWithoutChannel();
    }
  }

  private void fail(Kind kind, String reason) {
    log.debug("{}", reason);
    finishWithoutChannel();
    complete(new AuthResult.Unavailable(kind, reason));
  }

  private void finishWithoutChannel() {
    phase = Phase.FINISHED;
    cancelTimer();
    dropChannel();
  }

  private void dropChannel() {
    if (channel != null) {
      AuthConnectionHandler.detach(channel);
      channel.close();
      channel = null;
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void complete(AuthResult result) {
    if (!answer.isDone()) {
      log.debug("auth http server {} answered {}", connector.peer(), result.getClass().getSimpleName());
      answer.complete(result);
    }
  }
}
