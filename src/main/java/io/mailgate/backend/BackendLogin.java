package io.mailgate.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Logs the proxy in to a backend on behalf of one client: reads the banner, sends the protocol's login, and completes
 * {@link #result()} with the reply the client gets (e.g. the backend's tagged {@code OK}). One instance per session;
 * it sits after a line framer on the backend channel and is removed when the relay starts. Subclasses see each
 * response line (ISO-8859-1, without CRLF) in {@link #onLine} and finish with {@link #succeed} or {@link #fail}.
 */
public abstract class BackendLogin extends SimpleChannelInboundHandler<ByteBuf> {

  private Promise<String> result;
  private boolean connected;
  /** The login towards the backend: {@code Auth-User} or the client's. */
  protected byte[] user;
  /** The password towards the backend: {@code Auth-Pass} or the client's secret. Wiped once the login is over. */
  protected byte[] password;

  /** Arms the login; called once, on the backend channel's event loop, before the channel is active. */
  public final void init(byte[] user, byte[] password, Promise<String> result) {
    this.user = user.clone();
    this.password = password.clone();
    this.result = result;
  }

  /** Completes with the reply for the client, or fails with a {@link BackendLoginException}. */
  public final Promise<String> result() {
    return result;
  }

  /** One backend response line, without its line end. */
  protected abstract void onLine(ChannelHandlerContext ctx, String line);

  /** What the login is doing, for the error log: {@code connecting to upstream}, then {@link #waitingFor()}. */
  public final String action() {
    return connected ? waitingFor() : "connecting to upstream";
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
    if (!result.isDone()) {
      onLine(ctx, line.toString(StandardCharsets.ISO_8859_1));
    }
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
    if (cause instanceof TooLongFrameException) {
      fail(BackendFailure.PROTOCOL, "upstream sent too long response line", Optional.empty());
    } else {
      fail(BackendFailure.CONNECT, "upstream connection failed (" + cause.getMessage() + ")", Optional.empty());
    }
    ctx.close();
  }

  private void wipe() {
    if (password != null) {
      Arrays.fill(password, (byte) 0);
    }
  }

  /** Bytes as the backend sees them: the raw login bytes, byte for char. */
  protected static String raw(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
