package io.mailgate.testkit;

import io.mailgate.backend.BackendConnector;
import io.mailgate.backend.BackendLogin;
import io.mailgate.backend.BackendTlsPlan;
import io.mailgate.config.BackendTlsConfig;
import io.mailgate.tls.BackendTls;
import io.mailgate.tls.TlsSetupException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Drives a protocol's {@link BackendLogin} with STARTTLS required on an {@link EmbeddedChannel}, for the cleartext part
 * of the exchange: what is sent before the upgrade, and whether the TLS handler is in place after the go-ahead.
 */
public final class StartTlsLoginHarness implements AutoCloseable {

  private final EmbeddedChannel channel;
  private final Promise<String> result;
  private final Queue<String> tlsBound = new ConcurrentLinkedQueue<>();

  /** Arms {@code login} (user {@code u}, password {@code p}) with STARTTLS towards 127.0.0.1:143, no verification. */
  public StartTlsLoginHarness(BackendLogin login) throws TlsSetupException {
    this(login, "u", "p");
  }

  /** Arms {@code login} with these credentials and STARTTLS towards 127.0.0.1:143, no verification. */
  public StartTlsLoginHarness(BackendLogin login, String user, String password) throws TlsSetupException {
    BackendTlsConfig config = new BackendTlsConfig(BackendTlsConfig.Mode.STARTTLS, false, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of("TLSv1.2", "TLSv1.3"), true);
    BackendTlsPlan plan = new BackendTlsPlan(BackendTlsConfig.Mode.STARTTLS, "backend.example.com", 143, false,
        BackendTls.create(config));
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init(user.getBytes(StandardCharsets.ISO_8859_1), password.getBytes(StandardCharsets.ISO_8859_1), result,
        Optional.of(plan));
    channel.pipeline().addLast(BackendConnector.FRAMER, new LineBasedFrameDecoder(4096, true, false));
    // Between the login and the framer that the upgrade puts behind the TLS handler: sees its writes in cleartext.
    channel.pipeline().addLast("tap", new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (channel.pipeline().first() instanceof SslHandler && msg instanceof ByteBuf buf) {
          tlsBound.add(buf.toString(StandardCharsets.ISO_8859_1));
        }
        ctx.write(msg, promise);
      }
    });
    channel.pipeline().addLast(BackendConnector.LOGIN, login);
  }

  /** The login's outcome. */
  public Promise<String> result() {
    return result;
  }

  /** Feeds backend bytes to the login. */
  public void backendSays(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  /** Whether the login left the connection open (it closes it when it fails). */
  public boolean isOpen() {
    return channel.isOpen();
  }

  /** Whether a TLS handler now heads the pipeline. */
  public boolean tlsStarted() {
    return channel.pipeline().first() instanceof SslHandler;
  }

  /**
   * Tells the login its handshake succeeded (there is no TLS peer here), so that it goes on with what it sends over
   * TLS; {@link #sentOverTls()} reads that before it reaches the TLS handler.
   */
  public void completeHandshake() {
    channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
  }

  /** Hands the login response lines (CRLF-separated) as if they had come decrypted out of the TLS framer. */
  public void backendSaysOverTls(String text) {
    for (String line : text.split("\r\n")) {
      channel.pipeline().context("tap").fireChannelRead(Unpooled.copiedBuffer(line, StandardCharsets.ISO_8859_1));
    }
  }

  /** What the login wrote since the last call towards the TLS handler, as text. */
  public String sentOverTls() {
    StringBuilder all = new StringBuilder();
    String text;
    while ((text = tlsBound.poll()) != null) {
      all.append(text);
    }
    return all.toString();
  }

  /**
   * What the login wrote since the last call, as text; once TLS has started, only what was written before the
   * ClientHello (TLS records are dropped: they are not cleartext).
   */
  public String sent() {
    StringBuilder all = new StringBuilder();
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      if (out.isReadable() && out.getByte(out.readerIndex()) != 22) {
        all.append(out.toString(StandardCharsets.ISO_8859_1));
      }
      out.release();
    }
    return all.toString();
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }
}
