package io.mailgate.backend;

import io.mailgate.sasl.Mechanism;
import io.mailgate.sasl.SaslClientPayloads;
import io.mailgate.transport.DirectMemory;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Logs the proxy in to a backend on behalf of one client: reads the banner, sends the protocol's login, and completes
 * {@link #result()} with the reply the client gets (e.g. the backend's tagged {@code OK}). One instance per session;
 * it sits after a line framer on the backend channel and is removed when the relay starts. Subclasses see each
 * response line (ISO-8859-1, without CRLF) in {@link #onLine} and finish with {@link #succeed} or {@link #fail}.
 *
 * <p>TLS: with implicit TLS the connector puts the handshake first and the greeting arrives over TLS; with STARTTLS
 * the subclass sends its protocol's command and, on the positive reply, calls {@link #upgradeToTls} before any
 * credential goes out. A failed handshake fails the login with {@link BackendFailure#TLS}.
 *
 * <p>Credentials: a login and password, or with {@code proxy_backend_login token} a bearer token that the subclass
 * passes on with the client's mechanism ({@link #tokenMechanism()}, {@link #tokenInitialResponse()}). Secrets are
 * wiped when the login is over, whatever its outcome.
 */
public abstract class BackendLogin extends SimpleChannelInboundHandler<ByteBuf> {

  /** The backend pipeline's TLS handler name. */
  public static final String TLS = "backend-tls";

  private Promise<String> result;
  private boolean connected;
  private Optional<BackendTlsPlan> tls = Optional.empty();
  /** The framer's line limit ({@code proxy_buffer}), for the framer that replaces the cleartext one after STARTTLS. */
  private int lineLimit = 4096;
  /** True from the start of a TLS handshake until its completion event. */
  private boolean handshaking;
  /** What runs once the handshake succeeded. */
  private Runnable afterHandshake;
  /** True while the cleartext framer is being removed: any bytes it still holds were sent after the upgrade reply. */
  private boolean droppingCleartextFramer;
  /** The login towards the backend: {@code Auth-User} or the client's. */
  protected byte[] user;
  /** The password towards the backend: {@code Auth-Pass} or the client's secret. Wiped once the login is over. */
  protected byte[] password;
  /** Everything the login authenticates with, the token included; wiped once the login is over. */
  private BackendCredentials credentials;

  /** Arms a password login; called once, on the backend channel's event loop, before the channel is active. */
  public final void init(byte[] user, byte[] password, Promise<String> result) {
    init(user, password, result, Optional.empty());
  }

  /** Arms a password login with the TLS it must use towards the backend (empty: cleartext). */
  public final void init(byte[] user, byte[] password, Promise<String> result, Optional<BackendTlsPlan> tls) {
    init(BackendCredentials.password(user, password), result, tls);
  }

  /**
   * Arms the login with its credentials and the TLS it must use towards the backend (empty: cleartext); called once,
   * on the backend channel's event loop, before the channel is active. The login owns {@code credentials} from now on
   * and wipes them when it is over.
   */
  public final void init(BackendCredentials credentials, Promise<String> result, Optional<BackendTlsPlan> tls) {
    this.credentials = credentials;
    this.user = credentials.user();
    this.password = credentials.password();
    this.result = result;
    this.tls = tls;
    if (tls.isPresent() && tls.get().implicit()) {
      handshaking = true;
      afterHandshake = () -> { };
    }
  }

  /** The client's mechanism when this login passes the client's bearer token on ({@code proxy_backend_login token}). */
  protected final Optional<Mechanism> tokenMechanism() {
    return credentials.token().map(BackendCredentials.TokenLogin::mechanism);
  }

  /**
   * The base64 SASL initial response that carries the client's token with {@link #tokenMechanism()} for
   * {@link #user}; the caller wipes it once written.
   */
  protected final byte[] tokenInitialResponse() {
    BackendCredentials.TokenLogin login = credentials.token()
        .orElseThrow(() -> new IllegalStateException("not a token login"));
    byte[] token = login.token();
    try {
      return SaslClientPayloads.initialResponse(login.mechanism(), user, token);
    } finally {
      Arrays.fill(token, (byte) 0);
    }
  }

  /** The TLS this login uses, if any. */
  public final Optional<BackendTlsPlan> tls() {
    return tls;
  }

  /** Sets the line limit of the backend framer, so the one after a STARTTLS upgrade has the same. */
  final void lineLimit(int limit) {
    this.lineLimit = limit;
  }

  /**
   * Whether the login must upgrade the cleartext connection (STARTTLS/STLS) before it sends any credential. A backend
   * that cannot is a failure, never a cleartext fallback.
   */
  protected final boolean startTlsRequired() {
    return tls.isPresent() && !tls.get().implicit();
  }

  /** Completes with the reply for the client, or fails with a {@link BackendLoginException}. */
  public final Promise<String> result() {
    return result;
  }

  /** One backend response line, without its line end. */
  protected abstract void onLine(ChannelHandlerContext ctx, String line);

  /** What the login is doing, for the error log: {@code connecting to upstream}, then {@link #waitingFor()}. */
  public final String action() {
    if (!connected) {
      return "connecting to upstream";
    }
    return handshaking ? "SSL handshaking to upstream" : waitingFor();
  }

  /** What the connected login waits for, e.g. {@code reading response from upstream}. */
  protected String waitingFor() {
    return "reading response from upstream";
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connected = true;
    ctx.fireChannelActive();
  }

  @Override
  protected final void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
    if (droppingCleartextFramer) {
      // RFC 3207 §6, RFC 2595 §3.1: nothing the server sent in cleartext after its go-ahead may be used; an attacker
      // on the path can inject it (CVE-2011-0411 in reverse).
      fail(BackendFailure.PROTOCOL, "upstream sent data after its STARTTLS reply, before the TLS handshake",
          Optional.empty());
      ctx.close();
      return;
    }
    if (!result.isDone()) {
      onLine(ctx, line.toString(StandardCharsets.ISO_8859_1));
    }
  }

  /**
   * Upgrades the connection after the backend accepted STARTTLS/STLS: call it from {@link #onLine} with the positive
   * reply, which must be the last thing the backend sent. The cleartext framer is replaced by a TLS handler at the
   * pipeline head and a fresh framer behind it, so no cleartext byte can be read as if it came over TLS; then
   * {@code then} runs once the handshake succeeded (a failed one fails the login). The login's timeout covers it.
   */
  protected final void upgradeToTls(ChannelHandlerContext ctx, Runnable then) {
    BackendTlsPlan plan = tls.orElseThrow(() -> new IllegalStateException("no TLS planned for this login"));
    ChannelPipeline pipeline = ctx.pipeline();
    handshaking = true;
    afterHandshake = then;
    droppingCleartextFramer = true;
    try {
      // Removing the framer hands whatever it still buffers to channelRead0 above, which fails the login.
      pipeline.remove(BackendConnector.FRAMER);
    } finally {
      droppingCleartextFramer = false;
    }
    if (result.isDone()) {
      return;
    }
    pipeline.addFirst(TLS, plan.newHandler(ctx.alloc()));
    pipeline.addAfter(TLS, BackendConnector.FRAMER, BackendConnector.newFramer(lineLimit));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent completion && handshaking) {
      if (completion.isSuccess()) {
        handshaking = false;
        Runnable next = afterHandshake;
        afterHandshake = null;
        if (!result.isDone()) {
          next.run();
        }
      } else {
        // handshaking stays set: the error log's action reads "SSL handshaking to upstream".
        fail(BackendFailure.TLS, handshakeFailure(completion.cause()), Optional.empty());
        ctx.close();
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  /** The error-log text of a failed handshake: the innermost reason (untrusted, expired, name mismatch...). */
  private String handshakeFailure(Throwable cause) {
    StringBuilder reasons = new StringBuilder();
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      if (message == null || reasons.indexOf(message) >= 0) {
        continue;
      }
      if (reasons.length() > 0) {
        reasons.append(": ");
      }
      reasons.append(message);
    }
    if (reasons.length() == 0) {
      reasons.append(cause == null ? "unknown" : cause.getClass().getSimpleName());
    }
    return "SSL handshake with upstream failed: " + reasons + " (" + tls.orElseThrow().describe() + ")";
  }

  /** The login is done; {@code clientReply} (CRLF-terminated lines) goes to the client. */
  protected final void succeed(String clientReply) {
    wipe();
    result.trySuccess(clientReply);
  }

  /** The login failed; {@code backendReply} is relayed with {@code proxy_pass_error_message on}. */
  protected final void fail(BackendFailure failure, String message, Optional<String> backendReply) {
    wipe();
    result.tryFailure(new BackendLoginException(failure, message, backendReply));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(BackendFailure.CONNECT, "upstream prematurely closed connection", Optional.empty());
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (DirectMemory.exhausted(cause)) {
      fail(BackendFailure.INTERNAL, "out of direct memory (" + cause.getMessage() + ")", Optional.empty());
    } else if (cause instanceof TooLongFrameException) {
      fail(BackendFailure.PROTOCOL, "upstream sent too long response line", Optional.empty());
    } else if (tls.isPresent() && (cause instanceof SSLException || cause instanceof DecoderException
        && cause.getCause() instanceof SSLException)) {
      // Normally the handshake completion event has already failed the login with the reason.
      fail(BackendFailure.TLS, handshakeFailure(cause), Optional.empty());
    } else {
      fail(BackendFailure.CONNECT, "upstream connection failed (" + cause.getMessage() + ")", Optional.empty());
    }
    ctx.close();
  }

  private void wipe() {
    if (password != null) {
      Arrays.fill(password, (byte) 0);
    }
    if (credentials != null) {
      credentials.wipe();
    }
  }

  /** Bytes as the backend sees them: the raw login bytes, byte for char. */
  protected static String raw(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
