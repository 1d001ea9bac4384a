package io.mailgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login storm over implicit TLS against a BoringSSL server in this JVM (the fake IMAP backend behind an
 * SslHandler, with Netty's defaults: TLS 1.3 tickets and a TLS 1.2 session cache): without resumption no handshake
 * resumes; with it, nearly every one does, by ticket (TLS 1.3) or by session ID (TLS 1.2).
 */
class TlsScenariosTest {

  @TempDir
  static Path dir;
  private static EventLoopGroup group;
  private static Channel listener;
  private static ByteBuf message;

  @BeforeAll
  static void startTlsBackend() throws Exception {
    assumeThat(OpenSsl.isAvailable()).as("BoringSSL (netty-tcnative)").isTrue();
    File key = dir.resolve("key.pem").toFile();
    File cert = dir.resolve("cert.pem").toFile();
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=bench.example.com",
        "-keyout", key.toString(), "-out", cert.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as("openssl req").isZero();
    SslContext server = SslContextBuilder.forServer(cert, key).sslProvider(SslProvider.OPENSSL).build();
    message = MessageBody.directBuffer(1024);
    BackendSettings settings = new BackendSettings(true, message, 1024, "backend.example.com");
    group = Net.group(1, "tls-backend");
    listener = new ServerBootstrap().group(group).channel(Net.serverChannel())
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(server.newHandler(ch.alloc()), new ImapServerHandler(settings));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @AfterAll
  static void stop() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      message.release();
    }
  }

  private static Json storm(String... tls) throws Exception {
    int port = ((InetSocketAddress) listener.localAddress()).getPort();
    String[] base = {"login-storm", "--target", "127.0.0.1:" + port, "--warmup", "300ms", "--duration", "700ms",
        "--timeout", "5s", "--concurrency", "4", "--tls"};
    String[] argv = new String[base.length + tls.length];
    System.arraycopy(base, 0, argv, 0, base.length);
    System.arraycopy(tls, 0, argv, base.length, tls.length);
    Json result = LoadGen.run(LoadGen.options(Args.parse(argv)));
    assertThat(result.get("first_error")).isNull();
    assertThat(result.number("sessions")).isPositive();
    assertThat(result.number("tls_handshakes")).isPositive();
    return result;
  }

  @Test
  void withoutResumptionEveryHandshakeIsFull() throws Exception {
    Json result = storm();

    assertThat(result.number("tls_resumed")).isZero();
    assertThat((String) result.get("tls_negotiated")).startsWith("TLSv1.3 ");
  }

  @Test
  void tls13ConnectionsResumeWithTheTicketsOfEarlierOnes() throws Exception {
    Json result = storm("--tls-resume");

    assertThat(result.number("tls_resumed_share")).isGreaterThan(0.9);
    assertThat((String) result.get("tls_negotiated")).startsWith("TLSv1.3 ");
  }

  @Test
  void tls12ConnectionsResumeByTheServersSessionCache() throws Exception {
    Json result = storm("--tls-version", "1.2", "--tls-resume");

    assertThat(result.number("tls_resumed_share")).isGreaterThan(0.9);
    assertThat((String) result.get("tls_negotiated")).startsWith("TLSv1.2 ");
  }

  @Test
  void theLoadGeneratorAndTheMachineCpuAreReportedPerSession() throws Exception {
    Json result = storm("--tls-version", "1.3");

    assertThat(result.number("loadgen_cpu_ms_per_session")).isPositive();
    assertThat(result.number("machine_cpu_ms_per_session")).isGreaterThanOrEqualTo(
        result.number("loadgen_cpu_ms_per_session") * 0.5);
  }
}
