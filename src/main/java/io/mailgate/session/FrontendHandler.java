package io.mailgate.session;

import io.mailgate.auth.AuthRequest;
import io.mailgate.codec.RequestDecoder;
import io.mailgate.sasl.Credentials;
import io.mailgate.transport.DirectMemory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The plumbing every protocol's pre-login state machine shares: requests arrive from the protocol's
 * {@link RequestDecoder}, each re-arms the client {@code timeout} and counts against {@code max_commands}, none is
 * answered once the session is closing, a login
 * pauses decoding and hands over to the {@link LoginFlow}, and connection errors end the session. Subclasses implement
 * {@link #onRequest} and the protocol wording of {@link LoginFrontend}.
 *
 * @param <R> the protocol's request type
 */
public abstract class FrontendHandler<R> extends ChannelInboundHandlerAdapter implements LoginFrontend {

  /** The session this handler serves. */
  protected final ClientSession session;
  /** The decoder before this handler: paused during a login, told when a SASL response comes next. */
  protected final RequestDecoder<R> decoder;
  private final Class<R> requestType;
  private final LoginFlow loginFlow;
  private ChannelHandlerContext ctx;
  private int commands;

  /**
   * @param requestType the protocol's request type; anything else arriving here is released and ignored
   */
  protected FrontendHandler(ClientSession session, RequestDecoder<R> decoder, Class<R> requestType) {
    this.session = session;
    this.decoder = decoder;
    this.requestType = requestType;
    this.loginFlow = new LoginFlow(session, this);
  }

  /** One request from the client. */
  protected abstract void onRequest(R request);

  /** Whether {@code request} is a line the parser rejected (it does not count against {@code max_commands}). */
  protected abstract boolean isInvalid(R request);

  /** Answers {@code request} with the protocol's invalid-command reply (IMAP with its tag); closes when asked. */
  protected abstract void reject(R request, boolean close);

  /** The client is identified: stop decoding (later input stays buffered, in order) and ask the auth service. */
  protected final void login(Credentials credentials, List<AuthRequest.Header> protocolHeaders) {
    decoder.pause();
    loginFlow.start(credentials, protocolHeaders);
  }

  /** After a failed login that keeps the session: decode what the client sent meanwhile. */
  protected final void resumeInput() {
    decoder.resume(ctx);
  }

  @Override
  public final void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    session.frontendStarted();
  }

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!requestType.isInstance(msg) || session.isClosing()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    session.armTimeout();
    R request = requestType.cast(msg);
    // freenginx's max_commands: every line parsed before login counts, SASL responses included.
    if (!isInvalid(request) && ++commands > session.config().maxCommands()) {
      session.log().info("client sent too many commands");
      session.record().closeReason("too many commands");
      reject(request, true);
      return;
    }
    onRequest(request);
  }

  @Override
  public final void channelInactive(ChannelHandlerContext ctx) {
    session.disarmTimeout();
    session.record().closeReason("client closed connection");
    ctx.fireChannelInactive();
  }

  @Override
  public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (DirectMemory.exhausted(cause)) {
      // This session only: the process and the other sessions go on (no stack trace, it is not a bug here).
      session.log().error("out of direct memory (" + cause.getMessage() + ")");
      session.record().closeReason("out of direct memory");
      session.close();
      return;
    }
    if (cause instanceof IOException) {
      session.log().info("client connection error (" + cause.getMessage() + ")");
    } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
      // A bad TLS record from the client (or injected on its path) is the client's fault, as nginx's SSL_read() info.
      session.log().info("client connection error (" + tls.getMessage() + ")");
    } else {
      session.log().error("unexpected error", cause);
    }
    session.record().closeReason("client connection error");
    session.close();
  }
}
