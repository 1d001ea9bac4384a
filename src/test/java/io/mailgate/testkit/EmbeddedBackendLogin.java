package io.mailgate.testkit;

import io.mailgate.backend.BackendCredentials;
import io.mailgate.backend.BackendLogin;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link BackendLogin} on an {@link EmbeddedChannel} behind the backend's line framer, driven by a test playing the
 * backend: {@link #backendSays} feeds its bytes, {@link #sent} drains what the login wrote. Everything is released in
 * {@link #close}, so the leak detector stays quiet.
 */
public final class EmbeddedBackendLogin implements AutoCloseable {

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final Promise<String> result = channel.eventLoop().newPromise();
  /** Each write the login made, as one string, in order. */
  private final List<String> writes = new ArrayList<>();

  private EmbeddedBackendLogin() {}

  /**
   * Arms {@code login} with {@code credentials} (no TLS) and puts it behind a 4 KB line framer.
   *
   * @param active whether the connection comes up now ({@code channelActive}), as the connector's does
   */
  public static EmbeddedBackendLogin start(BackendLogin login, BackendCredentials credentials, boolean active) {
    EmbeddedBackendLogin backend = new EmbeddedBackendLogin();
    login.init(credentials, backend.result, Optional.empty());
    backend.channel.pipeline().addLast(new LineBasedFrameDecoder(4096, true, false), login);
    if (active) {
      backend.channel.pipeline().fireChannelActive();
    }
    return backend;
  }

  /** {@link #start} with the login {@code u} and the password {@code p}. */
  public static EmbeddedBackendLogin withPassword(BackendLogin login, boolean active) {
    return start(login, BackendCredentials.password(bytes("u"), bytes("p")), active);
  }

  /** The login's outcome. */
  public Promise<String> result() {
    return result;
  }

  /** The backend sends {@code text} (ISO-8859-1, line ends included). */
  public void backendSays(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  /** What the login wrote since the last call; each write is also kept in {@link #writes()}. */
  public String sent() {
    StringBuilder all = new StringBuilder();
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      String write = out.toString(StandardCharsets.ISO_8859_1);
      writes.add(write);
      all.append(write);
      out.release();
    }
    return all.toString();
  }

  /** Every write drained by {@link #sent()} so far. */
  public List<String> writes() {
    return writes;
  }

  /** The channel, for a test that needs more. */
  public EmbeddedChannel channel() {
    return channel;
  }

  /** UTF-8 bytes of {@code text}. */
  public static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }
}
