package io.mailgate.auth;

import io.mailgate.auth.AuthResult.Unavailable.Kind;
import io.mailgate.config.AuthHttpConfig;
import io.mailgate.transport.Errno;
import io.mailgate.transport.OutboundSockets;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One auth_http question, from the first byte sent to the answer, then the draining of the body when the
 * connection can go back to the pool. Runs entirely on the caller's event loop, so its fields need no
 * synchronisation.
 *
 * <p>The services are tried in the order given. A failure to get a connection that can carry the request (connect
 * refused or timed out, TLS handshake failed), or a connection that breaks before any byte of the response, moves
 * the question to the next service; once a response byte has arrived, or when the request timed out after it was
 * sent, the question is never asked again elsewhere, since the service may have counted the login attempt. Timers:
 * the service's connect timeout bounds TCP connect plus TLS handshake, its request timeout the time from sending to
 * the end of the response head (and again the draining of the body).
 */
final class AuthExchange {

  private static final Logger log = LoggerFactory.getLogger(HttpAuthClient.class);

  /** A body larger than this is not worth reading to keep the connection. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  private enum Phase {
    /** A fresh connection is being opened (TCP, then TLS for https). */
    CONNECTING,
    /** The request is sent (or being sent); the head of the response is awaited. */
    AWAITING,
    /** The answer is given; the body is read and discarded so the connection can be reused. */
    DRAINING,
    /** Nothing more to do; the exchange owns no connection. */
    FINISHED
  }

  private final AuthHttpConfig config;
  private final List<AuthService> services;
  private final AuthRequest request;
  private final EventLoop loop;
  private final CompletableFuture<AuthResult> answer;

  private int index;
  /** Counts connection attempts, so that a connect that completes after its attempt was given up is recognised. */
  private int attempt;
  private AuthService service;
  private AuthResponseParser parser;
  private Phase phase = Phase.CONNECTING;
  private Channel channel;
  private ScheduledFuture<?> timer;
  private boolean reused;
  private boolean retried;
  private boolean answerStarted;
  private long bodyLeft;

  /** @param services the order to try the services in ({@link AuthServices#order()}); not empty */
  AuthExchange(AuthHttpConfig config, List<AuthService> services, AuthRequest request, EventLoop loop,
      CompletableFuture<AuthResult> answer) {
    this.config = config;
    this.services = services;
    this.request = request;
    this.loop = loop;
    this.answer = answer;
  }

  /** Starts the exchange; on the loop. */
  void start() {
    begin(0);
  }

  /** Asks the service at {@code i}: on a pooled connection when one is idle, else on a new one. */
  private void begin(int i) {
    index = i;
    service = services.get(i);
    service.watchName(loop);
    retried = false;
    Channel idle = service.pool().poll(loop);
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
   * A fresh one that fails so says the service is in trouble: the next service gets the question.
   */
  void onBroken(Channel from, String what) {
    onBroken(from, what, Kind.CONNECT);
  }

  /** As {@link #onBroken(Channel, String)}, {@code kind} saying what broke it (the connection, or TLS). */
  void onBroken(Channel from, String what, Kind kind) {
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
    if (answerStarted) {
      fail(kind, "auth http server " + service.peer() + " " + what);
      return;
    }
    if (reused && !retried && kind == Kind.CONNECT) {
      retried = true;
      log.debug("auth http server {}: pooled connection failed ({}), retrying on a new one", service.peer(), what);
      connect();
      return;
    }
    connectionFailed(kind, "auth http server " + service.peer() + " " + what);
  }

  private void connect() {
    phase = Phase.CONNECTING;
    reused = false;
    answerStarted = false;
    AuthConnector connector = service.connector();
    if (connector.unusable().isPresent()) {
      connectionFailed(Kind.CONNECT, connector.unusable().get());
      return;
    }
    Promise<Channel> connecting;
    try {
      connecting = connector.connect(loop);
    } catch (OutboundSockets.NoSocketException e) {
      // nginx: "socket() failed (24: Too many open files) while in http auth state", an internal server error. Not
      // a fault of this service, so no other one is tried and none is marked down.
      fail(Kind.CONNECT, "auth http server " + service.peer() + " " + e.getMessage());
      return;
    }
    if (connecting == null) {
      fail(Kind.OVERLOADED, "auth http server " + service.peer() + ": worker_connections are not enough");
      return;
    }
    startTimer(service.config().connectTimeout());
    AuthService target = service;
    int mine = ++attempt;
    connecting.addListener((Future<Channel> f) -> onConnected(target, mine, f));
  }

  private void onConnected(AuthService target, int mine, Future<Channel> connecting) {
    if (phase != Phase.CONNECTING || mine != attempt) {
      // Timed out meanwhile (and moved on, or gave up).
      if (connecting.isSuccess()) {
        target.pool().offer(loop, connecting.getNow());
      }
      return;
    }
    if (connecting.isSuccess()) {
      cancelTimer();
      send(connecting.getNow(), false);
      return;
    }
    Throwable cause = connecting.cause();
    if (TlsFailures.isTls(cause)) {
      connectionFailed(Kind.TLS, "auth http server " + service.peer() + " " + TlsFailures.describe(cause));
    } else if (cause instanceof ConnectTimeoutException) {
      // nginx's words for any auth timeout; the session adds "while in http auth state".
      connectionFailed(Kind.TIMEOUT, "auth http server " + service.peer() + " timed out");
    } else {
      connectionFailed(Kind.CONNECT,
          "auth http server " + service.peer() + " connect() failed (" + Errno.describe(cause) + ")");
    }
  }

  private void send(Channel ch, boolean pooled) {
    phase = Phase.AWAITING;
    channel = ch;
    reused = pooled;
    answerStarted = false;
    parser = new AuthResponseParser();
    startTimer(service.config().timeout());
    AuthConnectionHandler.attach(ch, this);
    log.debug("auth http request to {} on a {} connection, attempt {}", service.peer(),
        pooled ? "pooled" : "new", request.loginAttempt());
    ch.writeAndFlush(AuthRequestEncoder.encode(config, service.config(), request, ch.alloc())).addListener(f -> {
      if (!f.isSuccess()) {
        onBroken(ch, "send() failed (" + Errno.describe(f.cause()) + ")");
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
        fail(Kind.INVALID_RESPONSE, "auth http server " + service.peer() + " sent invalid response");
        return;
      case INVALID_HEADER:
        fail(Kind.INVALID_RESPONSE,
            "auth http server " + service.peer() + " sent invalid header in response");
        return;
      case TOO_LARGE:
        fail(Kind.INVALID_RESPONSE, "auth http server " + service.peer() + " sent too large response");
        return;
      default:
        throw new IllegalStateException(status.name());
    }
  }

  /** The head is complete; {@code rest} holds the first body bytes. */
  private void onHead(ByteBuf rest) {
    cancelTimer();
    AuthResponse response = parser.response();
    AuthResult result = serverError(response);
    if (result == null) {
      service.succeeded();
      result = AuthResponseInterpreter.interpret(response, service.peer());
    }
    OptionalLong length = response.bodyLength();
    // Without a length the body's end is unknown: close after the head, as nginx always does.
    if (response.keepAlive() && length.isPresent() && length.getAsLong() <= MAX_BODY_BYTES) {
      phase = Phase.DRAINING;
      bodyLeft = length.getAsLong();
      drain(rest);
      if (phase == Phase.DRAINING) {
        startTimer(service.config().timeout());
      }
    } else {
      finishWithoutChannel();
    }
    // Complete last: the caller's continuation may ask again at once and should find the connection pooled.
    complete(result);
  }

  /**
   * A 5xx status without {@code Auth-Status} (a proxy or application error page, not an auth answer): the service
   * is in trouble, and is marked down. nginx ignores the status code; an answer with {@code Auth-Status} still counts
   * whatever the code. Not asked again elsewhere: the service may have seen the login. Null for any other response.
   */
  private AuthResult serverError(AuthResponse response) {
    int code = response.statusCode();
    if (code < 500 || code > 599 || response.header("Auth-Status").isPresent()) {
      return null;
    }
    String reason = "auth http server " + service.peer() + " answered HTTP " + code + " without Auth-Status";
    service.failed(loop);
    log.debug("{}", reason);
    return new AuthResult.Unavailable(Kind.SERVER_ERROR, reason);
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
      service.pool().offer(loop, ch);
    }
  }

  private void onTimeout() {
    timer = null;
    if (phase == Phase.CONNECTING) {
      // nginx's words for any auth timeout; the session adds "while in http auth state".
      connectionFailed(Kind.TIMEOUT, "auth http server " + service.peer() + " timed out");
    } else if (phase == Phase.AWAITING) {
      String reason = "auth http server " + service.peer() + " timed out";
      service.failed(loop);
      fail(Kind.TIMEOUT, reason);
    } else if (phase == Phase.DRAINING) {
      finishWithoutChannel();
    }
  }

  /**
   * No connection could carry the request to the current service, or one broke before any response byte: it is
   * marked down, and the next service in the order gets the question; after the last, the login fails.
   */
  private void connectionFailed(Kind kind, String reason) {
    cancelTimer();
    dropChannel();
    service.failed(loop);
    if (index + 1 < services.size()) {
      log.warn("{}, trying auth http server {}", reason, services.get(index + 1).peer());
      begin(index + 1);
      return;
    }
    fail(kind, reason);
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

  private void startTimer(Duration after) {
    cancelTimer();
    timer = loop.schedule(this::onTimeout, after.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void complete(AuthResult result) {
    if (!answer.isDone()) {
      log.debug("auth http server {} answered {}", service.peer(), result.getClass().getSimpleName());
      answer.complete(result);
    }
  }
}
