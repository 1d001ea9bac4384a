package io.mailgate.testkit;

import io.mailgate.backend.BackendConnector;
import io.mailgate.backend.BackendLogin;
import io.mailgate.backend.BackendTlsPlan;
import io.mailgate.config.BackendTlsConfig;
import io.mailgate.tls.BackendTls;
import io.mailgate.tls.TlsSetupException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Drives a protocol's {@link BackendLogin} with STARTTLS required on an {@link EmbeddedChannel}, for the cleartext part
 * of the exchange: what is sent before the upgrade, and whether the TLS handler is in place after the go-ahead.
 */
public final class StartTlsLoginHarness implements AutoCloseable {

  private final EmbeddedChannel channel;
  private final Promise<String> result;

  /** Arms {@code login} (user {@code u}, password {@code p}) with STARTTLS towards 127.0.0.1:143, no verification. */
  public StartTlsLoginHarness(BackendLogin login) throws TlsSetupException {
    BackendTlsConfig config = new BackendTlsConfig(BackendTlsConfig.Mode.STARTTLS, false, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of("TLSv1.2", "TLSv1.3"), true);
    BackendTlsPlan plan = new BackendTlsPlan(BackendTlsConfig.Mode.STARTTLS, "backend.example.com", 143, false,
        BackendTls.create(config));
    channel = new EmbeddedChannel();
    result = channel.eventLoop().newPromise();
    login.init("u".getBytes(StandardCharsets.US_ASCII), "p".getBytes(StandardCharsets.US_ASCII), result,
        Optional.of(plan));
    channel.pipeline().addLast(BackendConnector.FRAMER, new LineBasedFrameDecoder(4096, true, false));
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

  /** Whether a TLS handler now heads the pipeline. */
  public boolean tlsStarted() {
    return channel.pipeline().first() instanceof SslHandler;
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
