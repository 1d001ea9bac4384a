package io.mailgate.session;

import io.mailgate.auth.AuthRequest;
import io.mailgate.auth.AuthResult;
import io.mailgate.backend.BackendConnector;
import io.mailgate.backend.ProxiedClient;
import io.mailgate.backend.ProxyProtocolHeader;
import io.mailgate.backend.BackendTarget;
import io.mailgate.config.ProxyProtocolVersion;
import io.mailgate.tls.Verification;
import io.mailgate.backend.BackendCredentials;
import io.mailgate.config.AuthHttpConfig;
import io.mailgate.config.BuiltinAuthConfig;
import io.mailgate.backend.BackendLogin;
import io.mailgate.backend.BackendFailure;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.backend.BackendTlsPlan;
import io.mailgate.log.SessionLog;
import io.mailgate.relay.Relay;
import io.mailgate.sasl.Credentials;
import io.mailgate.sasl.Mechanism;
import io.mailgate.throttle.LoginThrottle;
import io.mailgate.throttle.Verdict;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One login, written once for every protocol: ask the auth service, then either report the failure through the
 * protocol's {@link LoginFrontend} (with nginx's {@code Auth-Wait} and RFC 7628 error-challenge rules), or log in to the
 * backend and hand both connections to the {@link Relay}. Runs on the session's event loop; every wait is a timer.
 */
public final class LoginFlow {

  private final ClientSession session;
  private final LoginFrontend frontend;
  private final EventLoop loop;
  private Credentials credentials;
  private AuthRequest request;
  private long askedAt;
  /** The login name the client sent, for the throttle's counters (the credentials are wiped early). */
  private String loginName;

  /** A flow for {@code session}, reporting through {@code frontend}. */
  public LoginFlow(ClientSession session, LoginFrontend frontend) {
    this.session = session;
    this.frontend = frontend;
    this.loop = session.channel().eventLoop();
  }

  /**
   * Starts a login attempt. The caller has stopped decoding client input (it stays buffered) and gets control back
   * through {@link LoginFrontend#authFailed} if the session goes on without logging in.
   *
   * @param protocolHeaders extra auth_http headers of the protocol (SMTP's {@code Auth-SMTP-*}); usually empty. The
   *     client's TLS ({@code Auth-SSL*}) follows them, as in nginx
   */
  public void start(Credentials credentials, List<AuthRequest.Header> protocolHeaders) {
    this.credentials = credentials;
    session.disarmTimeout();
    session.loginStarted();
    loginName = credentials.loginText();
    session.log().setLogin(loginName);
    session.record().user(loginName);
    session.record().mechanism(credentials.mechanism());
    int attempt = session.nextLoginAttempt();
    // nginx's order: Client-IP and Client-Host, the PROXY protocol addresses, the protocol's headers, then TLS.
    List<AuthRequest.Header> headers = new ArrayList<>();
    session.proxyHeader().ifPresent(proxy -> headers.addAll(proxy.authHeaders()));
    headers.addAll(protocolHeaders);
    session.tls().ifPresent(tls -> headers.addAll(tls.authHeaders(session.config().tls().verifyClient(),
        session.config().authHttp().map(AuthHttpConfig::passClientCert).orElse(false))));
    request = new AuthRequest(credentials, session.server().protocol().name(), attempt, session.clientIp(),
        frontend.clientHost(), headers, Optional.of(session.record().id()));
    Optional<LoginThrottle> throttle = session.server().guards().throttle();
    if (throttle.isEmpty()) {
      askAuthService();
      return;
    }
    throttle.get().check(session.clientAddress(), session.clientIp(), loginName)
        .whenComplete((verdict, error) -> onLoop(() -> onThrottleVerdict(throttle.get(), verdict)));
  }

  /** Runs {@code task} on the session's loop: at once when already there (the memory store answers in place). */
  private void onLoop(Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  private void onThrottleVerdict(LoginThrottle throttle, Verdict verdict) {
    SessionRecord record = session.record();
    record.events().throttleDecision(record, verdict.label());
    if (!session.channel().isActive()) {
      credentials.wipe();
      return;
    }
    if (verdict.allow()) {
      askAuthService();
      return;
    }
    credentials.wipe();
    if (verdict.label().equals(Verdict.STORE_ERROR_CLOSED)) {
      refuseThrottled("login throttle store failed", "Login temporarily unavailable, try again later");
      return;
    }
    // A throttled attempt counts as a failure too: the delay grows for as long as the guessing goes on.
    throttle.failed(session.clientAddress(), session.clientIp(), loginName);
    // The delay is a timer on the loop: the attacker waits, no thread does. The session stays in AUTHENTICATING
    // meanwhile (no client timeout; a graceful stop waits for the refusal, at most login_throttle_max_delay).
    later(Optional.of(verdict.delay()), () -> {
      if (!verdict.delay().isZero()) {
        record.events().throttleDecision(record, Verdict.REFUSED);
      }
      refuseThrottled("too many login failures", "Too many login failures, try again later");
    });
  }

  /**
   * Refuses the attempt with the protocol's temporary failure and closes, as nginx closes after a failed login without
   * {@code Auth-Wait}: a session kept open would let a guesser pipeline its next attempt on the same connection and
   * hold a slot meanwhile, while a real client simply reconnects after its retry interval.
   */
  private void refuseThrottled(String why, String text) {
    session.record().loginFinished(LoginOutcome.THROTTLED);
    session.log().info("client login refused: " + why);
    session.log().setAction(null);
    session.record().closeReason("login throttled");
    session.writeLineAndClose(frontend.temporaryFailureReply(text));
  }

  private void askAuthService() {
    session.log().setAction("in http auth state");
    askedAt = System.nanoTime();
    session.server().authClient().authenticate(request, loop).thenAccept(this::onAuthResult);
  }

  private void onAuthResult(AuthResult result) {
    SessionRecord record = session.record();
    record.events().authAnswered(record, result, System.nanoTime() - askedAt);
    if (!session.channel().isActive()) {
      credentials.wipe();
      return;
    }
    if (result instanceof AuthResult.Accepted accepted) {
      onAccepted(accepted);
    } else if (result instanceof AuthResult.Rejected rejected) {
      onRejected(rejected);
    } else if (result instanceof AuthResult.Retry retry) {
      // Auth-Status: WAIT asks the same question again (same Auth-Login-Attempt), as nginx does.
      later(retry.authWait(), this::askAuthService);
    } else if (result instanceof AuthResult.Unavailable unavailable) {
      session.log().error(unavailable.reason());
      credentials.wipe();
      failAuthServiceError();
    }
  }

  /** The auth service failed us (or answered what cannot be used): the client gets an internal error. */
  private void failAuthServiceError() {
    session.record().loginFinished(LoginOutcome.AUTH_SERVICE_ERROR);
    session.record().closeReason("auth service error");
    session.internalError();
  }

  private void onRejected(AuthResult.Rejected rejected) {
    credentials.wipe();
    session.server().guards().throttle()
        .ifPresent(t -> t.failed(session.clientAddress(), session.clientIp(), loginName));
    session.record().loginFinished(LoginOutcome.BAD_CREDENTIALS);
    session.log().info("client login failed: \"" + rejected.message() + "\"");
    session.log().setAction(null);
    String failureReply = frontend.authFailedReply(rejected);
    // Auth-Wait keeps the session; without it (or with 0) the connection closes after the reply (nginx auth_quit).
    Optional<Duration> wait = rejected.authWait().filter(d -> !d.isZero() && !d.isNegative());
    boolean keepSession = wait.isPresent();
    if (rejected.saslError().isPresent() && credentials.mechanism().isOAuth()) {
      // RFC 7628 §3.2.2: the error goes out as a challenge; the failure reply waits for the client's dummy response.
      String challenge = frontend.saslErrorChallenge(rejected.saslError().get());
      LoginFrontend.PendingSaslError pending = new LoginFrontend.PendingSaslError(failureReply, !keepSession);
      later(wait, () -> {
        session.writeLine(challenge);
        frontend.authFailed(pending);
        session.loginFailedSessionGoesOn();
        session.armTimeout();
      });
    } else if (keepSession) {
      later(wait, () -> {
        session.writeLine(failureReply);
        frontend.authFailed(null);
        session.loginFailedSessionGoesOn();
        session.armTimeout();
      });
    } else {
      session.record().closeReason("login failed");
      session.writeLineAndClose(failureReply);
    }
  }

  private void onAccepted(AuthResult.Accepted accepted) {
    ServerRuntime server = session.server();
    if (accepted.saslError().isPresent() && credentials.mechanism().isOAuth()
        && server.config().oauthFastmailCompat()) {
      session.log().error(authServiceName(server) + " returned SASL error to auth success");
      credentials.wipe();
      failAuthServiceError();
      return;
    }
    if (accepted.pass().isEmpty() && server.protocol().backendLoginNeedsPassword()
        && clientSentNoPassword(credentials.mechanism())) {
      session.log().error(authServiceName(server) + " did not send password");
      credentials.wipe();
      failAuthServiceError();
      return;
    }
    server.guards().throttle().ifPresent(t -> t.succeeded(loginName));
    // limit_sessions_per_client is checked here, before the backend is asked: a session over it costs no backend
    // login, and from here on it counts as relaying rather than pre-auth.
    String limit = server.guards().limits().enterRelay(session.slots(),
        session.clientIpForLimits(), session.record().listener());
    if (limit != null) {
      credentials.wipe();
      SessionRecord record = session.record();
      record.events().connectionRefused(record, limit);
      record.loginFinished(LoginOutcome.THROTTLED);
      record.closeReason("too many sessions");
      session.log().info("client login refused: too many sessions");
      session.writeLineAndClose(frontend.temporaryFailureReply("Too many sessions"));
      return;
    }
    BackendCredentials backendCredentials = backendCredentials(accepted, server);
    credentials.wipe();
    accepted.user().ifPresent(u -> {
      String user = new String(u, StandardCharsets.UTF_8);
      session.log().setLogin(user);
      session.record().user(user);
    });
    connectBackend(accepted, backendCredentials);
  }

  /**
   * What the backend login authenticates with. With {@code proxy_backend_login token} a bearer-token login passes the
   * client's token on with the client's mechanism, whatever {@code Auth-Pass} says (the operator chose the token);
   * otherwise {@code Auth-User}/{@code Auth-Pass} replace the client's own login and secret.
   */
  private BackendCredentials backendCredentials(AuthResult.Accepted accepted, ServerRuntime server) {
    byte[] user = accepted.user().orElse(credentials.login());
    boolean passToken = server.config().builtinAuth().backendCredentials().mode()
        == BuiltinAuthConfig.BackendCredentials.Mode.TOKEN && credentials.mechanism().isOAuth();
    byte[] secret = passToken || accepted.pass().isEmpty() ? credentials.secret() : accepted.pass().get();
    try {
      if (passToken) {
        return BackendCredentials.token(user, credentials.mechanism(), secret);
      }
      // A CRAM-MD5/APOP digest is no password: without Auth-Pass the backend gets none (SMTP goes on without one).
      boolean noPassword = accepted.pass().isEmpty() && clientSentNoPassword(credentials.mechanism());
      return BackendCredentials.password(user, noPassword ? new byte[0] : secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** nginx's way of naming the auth service in log lines. */
  private static String authServiceName(ServerRuntime server) {
    return server.config().authHttp().map(h -> "auth http server " + h.first().url()).orElse("built-in authenticator");
  }

  /** For these the client sent a digest or nothing: there is no password to log in to the backend with. */
  private static boolean clientSentNoPassword(Mechanism mechanism) {
    return mechanism == Mechanism.CRAM_MD5 || mechanism == Mechanism.APOP || mechanism == Mechanism.EXTERNAL;
  }

  private void connectBackend(AuthResult.Accepted accepted, BackendCredentials backendCredentials) {
    ServerRuntime server = session.server();
    BackendTarget target = accepted.backend();
    long connectStarted = System.nanoTime();
    session.log().setAction("connecting to upstream");
    // Auth-Proxy-SSL can add TLS to this login, never remove it or weaken its verification.
    Optional<BackendTlsPlan> tls = BackendTlsPlan.resolve(server.config().backendTls(), server.backendTls(),
        accepted.requiredTls(), accepted.tlsName(), target);
    tls.ifPresent(plan -> session.log().debug("upstream TLS: " + plan.describe()));
    BackendLogin login = server.protocol().newBackendLogin(session);
    // The login owns the credentials from here and wipes them once it is over.
    login.init(backendCredentials, loop.newPromise(), tls);
    // proxy_protocol: the backend learns the client's address (the real one, after set_real_ip_from) and ours: the
    // local address even behind a balancer, as nginx (mail_proxy_protocol.t), unlike connectedAddress(); v2 the same,
    // for one meaning of the destination whatever the version.
    ProxyProtocolVersion version = server.config().proxyProtocol();
    Optional<ProxyProtocolHeader> header = version.enabled()
        ? Optional.of(ProxyProtocolHeader.of(version, proxiedClient()))
        : Optional.empty();
    BackendConnector.Limits limits = new BackendConnector.Limits(server.config().timeout(),
        server.config().proxyConnectTimeout(), server.config().proxyBuffer());
    BackendConnector.Attempt attempt = server.backendConnector().connect(loop, target, login, limits, header,
        new BackendConnector.Progress() {
          @Override
          public void connecting(InetSocketAddress address) {
            // The access log, the metrics and the error log name the address actually tried.
            String upstream = BackendTarget.hostAndPort(address);
            session.log().setUpstream(upstream);
            session.record().backend(upstream);
          }

          @Override
          public void failedOver(InetSocketAddress address, String reason) {
            session.log().error(reason);
          }
        });
    // A client that goes away during the backend login takes the backend connection with it. The listener is
    // removed once the login is over, so an idle proxied session does not keep the login's result alive.
    GenericFutureListener<Future<Void>> closeBackendToo = f -> attempt.abandon();
    session.channel().closeFuture().addListener(closeBackendToo);
    attempt.result().addListener((Future<String> f) -> {
      session.channel().closeFuture().removeListener(closeBackendToo);
      SessionRecord record = session.record();
      Optional<BackendFailure> failure = f.isSuccess() ? Optional.empty()
          : Optional.of(f.cause() instanceof BackendLoginException e ? e.failure() : BackendFailure.INTERNAL);
      record.events().backendLogin(record, failure, System.nanoTime() - connectStarted);
      record.loginFinished(failure.isEmpty() ? LoginOutcome.OK : LoginOutcome.BACKEND_FAILURE);
      if (f.isSuccess()) {
        handOver(attempt.channel().orElseThrow(), f.getNow());
      } else {
        session.log().setAction(login.action());
        backendFailed(attempt.channel(), f.cause());
      }
    });
  }

  /** What a PROXY protocol header tells the backend about this session's client connection. */
  private ProxiedClient proxiedClient() {
    Optional<ProxiedClient.Tls> tls = session.tls().map(info -> new ProxiedClient.Tls(info.protocol(), info.cipher(),
        info.verification() instanceof Verification.Success, ClientServerName.of(session.channel())));
    return new ProxiedClient(session.clientAddress(), session.channel().localAddress(), tls, session.record().id());
  }

  private void backendFailed(Optional<Channel> backend, Throwable cause) {
    backend.ifPresent(Channel::close);
    session.record().closeReason("backend login failed");
    if (!session.channel().isActive()) {
      return;
    }
    if (cause instanceof BackendLoginException failure) {
      session.log().error(failure.getMessage());
      if (session.config().proxyPassErrorMessage() && failure.backendReply().isPresent()) {
        session.writeRawAndClose(failure.backendReply().get());
        return;
      }
    } else {
      session.log().error("backend login failed", cause);
    }
    session.internalError();
  }

  private void handOver(Channel backend, String clientReply) {
    if (!session.channel().isActive()) {
      backend.close();
      return;
    }
    session.log().setAction(null);
    session.log().info("client logged in");
    session.log().setAction("proxying");
    session.enterRelay();
    session.writeRaw(clientReply);
    Channel client = session.channel();
    // The relay outlives the login: its callback holds the session's log line context only, so the login's state
    // (parser, SASL dialogue, auth request) is garbage from here on (it was most of an idle session's heap).
    Relay relay = Relay.between(client, backend, session.config().proxyTimeout(),
        new RelayWatcher(session.log(), session.record()));
    // Relay handlers go in first: removing a framer passes the bytes it still holds downstream, into the relay, so
    // commands the client pipelined after its login reach the backend in order.
    backend.pipeline().addLast(PipelineNames.RELAY, relay.backendSide());
    backend.pipeline().remove(BackendConnector.LOGIN);
    backend.pipeline().remove(BackendConnector.FRAMER);
    client.pipeline().addLast(PipelineNames.RELAY, relay.clientSide());
    client.pipeline().remove(PipelineNames.FRONTEND);
    client.pipeline().remove(PipelineNames.FRAMER);
    relay.start();
  }

  /** Counts the relay's bytes into the session's record and logs how it ended. Keeps only the log and the record. */
  private record RelayWatcher(SessionLog log, SessionRecord record) implements Relay.Watcher {
    @Override
    public void fromClient(int bytes) {
      record.relayedFromClient(bytes);
    }

    @Override
    public void fromBackend(int bytes) {
      record.relayedFromBackend(bytes);
    }

    @Override
    public void ended(String reason) {
      record.closeReason(reason);
      log.setAction(null);
      log.info(reason);
    }
  }

  /** Runs {@code task} on the loop after {@code delay} (now when absent), unless the client has gone. */
  private void later(Optional<Duration> delay, Runnable task) {
    Runnable guarded = () -> {
      if (session.channel().isActive()) {
        task.run();
      }
    };
    if (delay.isEmpty() || delay.get().isZero()) {
      guarded.run();
    } else {
      Future<?> pending = loop.schedule(guarded, saturatedNanos(delay.get()), TimeUnit.NANOSECONDS);
      // A long wait (Auth-Wait is the auth service's to choose) must not keep a departed client's session in the
      // loop's timer queue: cancel it when the client goes.
      GenericFutureListener<Future<? super Void>> cancel = closed -> pending.cancel(false);
      session.channel().closeFuture().addListener(cancel);
      pending.addListener(done -> session.channel().closeFuture().removeListener(cancel));
    }
  }

  /**
   * {@code delay} in nanoseconds, Long.MAX_VALUE when it does not fit: Duration.toNanos() throws ArithmeticException
   * past 292 years, and an Auth-Wait of 999999999999999999 s (18 digits pass the parser, as nginx's ngx_atoi) threw
   * it inside the auth answer's thenAccept, which swallowed it and left the session with neither reply nor timer.
   */
  static long saturatedNanos(Duration delay) {
    try {
      return delay.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
