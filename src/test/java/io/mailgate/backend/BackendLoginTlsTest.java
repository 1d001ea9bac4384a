package io.mailgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.BackendTlsConfig;
import io.mailgate.config.BackendTlsConfig.Mode;
import io.mailgate.testkit.TestPki;
import io.mailgate.tls.BackendTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The STARTTLS mechanics shared by every protocol: framer swap, handshake, failures, injected cleartext. */
class BackendLoginTlsTest {

  @TempDir static Path dir;
  static TestPki pki;
  static TestPki rogue;

  private EmbeddedChannel backend;
  private EmbeddedChannel server;
  private Promise<String> result;
  private StartTlsLogin login;

  @BeforeAll
  static void pki() {
    pki = TestPki.create(dir);
    rogue = TestPki.create(dir, "Rogue CA");
  }

  @AfterEach
  void finish() {
    backend.finishAndReleaseAll();
    if (server != null) {
      server.finishAndReleaseAll();
    }
  }

  /** A toy protocol: greeting "READY", "STARTTLS" answered "GO", then "HELLO" over TLS answered "WELCOME". */
  private static final class StartTlsLogin extends BackendLogin {
    @Override
    protected void onLine(ChannelHandlerContext ctx, String line) {
      if (line.equals("READY")) {
        send(ctx, "STARTTLS");
      } else if (line.equals("GO")) {
        upgradeToTls(ctx, () -> send(ctx, "HELLO " + raw(user)));
      } else if (line.equals("WELCOME")) {
        succeed("done\r\n");
      } else {
        fail(BackendFailure.PROTOCOL, "unexpected " + line, Optional.empty());
      }
    }

    private static void send(ChannelHandlerContext ctx, String line) {
      ctx.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.ISO_8859_1));
    }
  }

  private void start(BackendTlsConfig config, String name) throws Exception {
    BackendTls tls = BackendTls.create(config);
    Optional<BackendTlsPlan> plan = BackendTlsPlan.resolve(config, tls, Optional.empty(), Optional.of(name),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 143));
    login = new StartTlsLogin();
    backend = new EmbeddedChannel();
    result = backend.eventLoop().newPromise();
    login.init("u".getBytes(StandardCharsets.US_ASCII), "p".getBytes(StandardCharsets.US_ASCII), result, plan);
    login.lineLimit(128);
    backend.pipeline().addLast(BackendConnector.FRAMER, BackendConnector.newFramer(128));
    backend.pipeline().addLast(BackendConnector.LOGIN, login);
    // The embedded channel was active before the login was added: tell it the connection is up, as a real one does.
    backend.pipeline().fireChannelActive();
  }

  private static BackendTlsConfig config(boolean verify) {
    return new BackendTlsConfig(Mode.STARTTLS, verify, verify ? Optional.of(pki.ca().certificate()) : Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of("TLSv1.2", "TLSv1.3"), true);
  }

  private void backendSays(String text) {
    backend.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  private String cleartextSent() {
    StringBuilder all = new StringBuilder();
    ByteBuf out;
    while ((out = backend.readOutbound()) != null) {
      all.append(out.toString(StandardCharsets.ISO_8859_1));
      out.release();
    }
    return all.toString();
  }

  /** Moves bytes between the login's channel and a TLS server channel until both are quiet. */
  private void pump() {
    boolean moved = true;
    while (moved) {
      moved = false;
      ByteBuf b;
      while ((b = backend.readOutbound()) != null) {
        deliver(server, b);
        moved = true;
      }
      while ((b = server.readOutbound()) != null) {
        deliver(backend, b);
        moved = true;
      }
      backend.runPendingTasks();
      server.runPendingTasks();
    }
  }

  private static void deliver(EmbeddedChannel to, ByteBuf bytes) {
    if (to.isOpen()) {
      to.writeInbound(bytes);
    } else {
      bytes.release();
    }
  }

  private void tlsServer(TestPki.Pair certificate) throws Exception {
    SslContext context = SslContextBuilder.forServer(certificate.privateKey(), certificate.x509()).build();
    server = new EmbeddedChannel();
    server.pipeline().addLast(context.newHandler(server.alloc()), new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The server side learns of the refusal by an alert; only the login's view is under test.
        ctx.close();
      }
    });
  }

  private String decryptedAtServer() {
    StringBuilder all = new StringBuilder();
    Object in;
    while ((in = server.readInbound()) != null) {
      ByteBuf buf = (ByteBuf) in;
      all.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return all.toString();
  }

  @Test
  void theGoAheadPutsTlsAtThePipelineHeadWithAFreshFramerBehindIt() throws Exception {
    start(config(false), "imap.example.com");
    backendSays("READY\r\n");
    assertThat(cleartextSent()).isEqualTo("STARTTLS\r\n");
    backendSays("GO\r\n");
    assertThat(backend.pipeline().names()).startsWith(BackendLogin.TLS, BackendConnector.FRAMER,
        BackendConnector.LOGIN);
    assertThat(backend.pipeline().first()).isInstanceOf(SslHandler.class);
    assertThat(login.action()).isEqualTo("SSL handshaking to upstream");
    ByteBuf hello = backend.readOutbound();
    try {
      assertThat(hello.getByte(hello.readerIndex())).as("a TLS handshake record").isEqualTo((byte) 22);
    } finally {
      hello.release();
    }
    assertThat(result.isDone()).isFalse();
  }

  @Test
  void afterTheHandshakeTheLoginGoesOnOverTls() throws Exception {
    start(config(true), "imap.example.com");
    tlsServer(pki.server(TestPki.KeyType.RSA, "imap.example.com"));
    backendSays("READY\r\n");
    cleartextSent();
    backendSays("GO\r\n");
    pump();
    assertThat(decryptedAtServer()).isEqualTo("HELLO u\r\n");
    server.writeOutbound(Unpooled.copiedBuffer("WELCOME\r\n", StandardCharsets.ISO_8859_1));
    pump();
    assertThat(result.getNow()).isEqualTo("done\r\n");
  }

  @Test
  void cleartextSentAfterTheGoAheadIsRefusedAsInjection() throws Exception {
    start(config(false), "imap.example.com");
    backendSays("READY\r\n");
    cleartextSent();
    backendSays("GO\r\nWELCOME\r\n");
    BackendLoginException failure = (BackendLoginException) result.cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.PROTOCOL);
    assertThat(failure.getMessage()).contains("after its STARTTLS reply");
    assertThat(backend.pipeline().get(SslHandler.class)).isNull();
    assertThat(backend.isOpen()).isFalse();
  }

  @Test
  void anUntrustedCertificateFailsTheLoginAsTlsWithTheReason() throws Exception {
    start(config(true), "imap.example.com");
    tlsServer(rogue.server(TestPki.KeyType.RSA, "imap.example.com"));
    backendSays("READY\r\n");
    cleartextSent();
    backendSays("GO\r\n");
    pump();
    BackendLoginException failure = (BackendLoginException) result.cause();
    assertThat(failure.failure()).isEqualTo(BackendFailure.TLS);
    assertThat(failure.getMessage()).startsWith("SSL handshake with upstream failed: ")
        .endsWith("(STARTTLS, name \"imap.example.com\", verify on)");
    assertThat(login.action()).isEqualTo("SSL handshaking to upstream");
    assertThat(decryptedAtServer()).isEmpty();
  }

  @Test
  void aCertificateForAnotherNameFailsTheLogin() throws Exception {
    start(config(true), "imap.example.com");
    tlsServer(pki.server(TestPki.KeyType.ECDSA, "other.example.com"));
    backendSays("READY\r\n");
    cleartextSent();
    backendSays("GO\r\n");
    pump();
    assertThat(((BackendLoginException) result.cause()).failure()).isEqualTo(BackendFailure.TLS);
    assertThat(decryptedAtServer()).isEmpty();
  }
}
