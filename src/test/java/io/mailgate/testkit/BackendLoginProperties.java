package io.mailgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.mailgate.backend.BackendConnector;
import io.mailgate.backend.BackendLogin;
import io.mailgate.backend.BackendLoginException;
import io.mailgate.codec.SplitFeed;
import io.mailgate.tls.TlsSetupException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The properties every protocol's {@link BackendLogin} must keep whatever a backend sends, for the fuzz targets: fed
 * arbitrary bytes (cut anywhere) in an {@link EmbeddedChannel}, the login completes, fails with a
 * {@link BackendLoginException} or waits, and never lets an exception escape; with STARTTLS required, no credential
 * goes out in cleartext and nothing the backend sent after its go-ahead is passed on.
 */
public final class BackendLoginProperties {

  /** Distinctive, so that finding them in what the login sent means it sent them. */
  public static final String USER = "fuzz-user-7f3a";
  public static final String PASSWORD = "fuzz-pass-9c1e";
  /** The message of the failure an exception inside the login turns into; with no socket, nothing else gives it. */
  private static final String EXCEPTION_FAILURE = "upstream connection failed (";

  private BackendLoginProperties() {}

  /** A cleartext login fed the fuzzed backend bytes: an outcome or waiting, never an exception. */
  public static void endsOrWaits(Supplier<BackendLogin> logins, FuzzedDataProvider data) {
    int[] points = SplitFeed.splitPoints(data);
    byte[] input = data.consumeBytes(SplitFeed.MAX_INPUT);
    BackendLogin login = logins.get();
    EmbeddedChannel channel = new EmbeddedChannel();
    Promise<String> result = channel.eventLoop().newPromise();
    login.init(bytes(USER), bytes(PASSWORD), result);
    channel.pipeline().addLast(BackendConnector.FRAMER, new LineBasedFrameDecoder(4096, true, false));
    channel.pipeline().addLast(BackendConnector.LOGIN, login);
    try {
      for (byte[] piece : SplitFeed.pieces(input, points)) {
        if (channel.isOpen()) {
          channel.writeInbound(Unpooled.wrappedBuffer(piece));
        }
        drainOutbound(channel);
      }
      channel.checkException();
      checkOutcome(result);
    } finally {
      channel.finishAndReleaseAll();
    }
    // Closed before it ended, a login fails; it never stays pending once the backend is gone.
    assertThat(result.isDone()).isTrue();
    checkOutcome(result);
  }

  /**
   * A login that must STARTTLS fed the fuzzed backend bytes, the handshake never completing: it never succeeds,
   * never writes the user or password in cleartext or towards the TLS handler, and once TLS started no failure
   * carries a backend reply (what came after the go-ahead is not the backend's, RFC 3207 §6).
   */
  public static void noCredentialBeforeTls(Supplier<BackendLogin> logins, FuzzedDataProvider data)
      throws TlsSetupException {
    int[] points = SplitFeed.splitPoints(data);
    byte[] input = data.consumeBytes(SplitFeed.MAX_INPUT);
    try (StartTlsLoginHarness login = new StartTlsLoginHarness(logins.get(), USER, PASSWORD)) {
      boolean tlsStarted = false;
      for (byte[] piece : SplitFeed.pieces(input, points)) {
        if (!login.isOpen()) {
          break;
        }
        login.backendSays(new String(piece, StandardCharsets.ISO_8859_1));
        tlsStarted |= login.tlsStarted();
        String sent = login.sent() + login.sentOverTls();
        assertThat(sent).doesNotContain(USER, PASSWORD);
      }
      Promise<String> result = login.result();
      assertThat(result.isSuccess()).as("a login that never got TLS").isFalse();
      checkOutcome(result);
      if (tlsStarted && result.isDone()) {
        assertThat(((BackendLoginException) result.cause()).backendReply()).isEmpty();
      }
    }
  }

  private static void checkOutcome(Promise<String> result) {
    if (!result.isDone()) {
      return;
    }
    if (result.isSuccess()) {
      assertThat(result.getNow()).isNotNull().endsWith("\r\n");
      return;
    }
    assertThat(result.cause()).isInstanceOf(BackendLoginException.class);
    assertThat(result.cause().getMessage()).doesNotStartWith(EXCEPTION_FAILURE).doesNotContain(PASSWORD);
  }

  private static void drainOutbound(EmbeddedChannel channel) {
    for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
      out.release();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
