package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.BackendTlsConfig;
import io.mailgate.testkit.TestPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend handshakes against a loopback TLS server: chain, name and IP checks. */
class BackendTlsTest {
  @TempDir
  static Path dir;
  static TestPki pki;
  static EventLoopGroup group;
  static final BlockingQueue<String> SNI = new LinkedBlockingQueue<>();

  @BeforeAll
  static void setUp() {
    pki = TestPki.create(dir);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static Channel server(TestPki.Pair pair) throws Exception {
    SslContext context = SslContextBuilder.forServer(pair.privateKey(), pair.x509()).build();
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new SniHandler(name -> {
              SNI.add(name == null ? "(none)" : name);
              return context;
            }));
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  /** Connects to the server's address and checks the certificate against {@code peerName}. */
  private static boolean handshake(BackendTls tls, Channel server, String peerName) throws Exception {
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc(), peerName, port, false), new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslHandshakeCompletionEvent event) {
                  done.complete(event.isSuccess());
                }
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        }).connect(server.localAddress()).sync().channel();
    try {
      return done.get(10, TimeUnit.SECONDS);
    } finally {
      client.close().sync();
    }
  }

  private static BackendTls verifying() throws TlsSetupException {
    return BackendTls.create(TlsConfigBuilder.backend(true, Optional.of(pki.ca().certificate())));
  }

  @Test
  void aCertificateForTheExpectedNameFromATrustedCaIsAcceptedAndTheNameIsSentBySni() throws Exception {
    Channel server = server(pki.server(TestPki.KeyType.RSA, "imap.example.com"));
    try {
      SNI.clear();
      assertThat(handshake(verifying(), server, "imap.example.com")).isTrue();
      assertThat(SNI.poll(5, TimeUnit.SECONDS)).isEqualTo("imap.example.com");
    } finally {
      server.close().sync();
    }
  }

  @Test
  void aCertificateForAnotherNameIsRefusedUnlessVerificationIsOff() throws Exception {
    Channel server = server(pki.server(TestPki.KeyType.ECDSA, "other.example.com"));
    try {
      assertThat(handshake(verifying(), server, "imap.example.com")).isFalse();
      BackendTls noVerify = BackendTls.create(TlsConfigBuilder.backend(false, Optional.empty()));
      assertThat(handshake(noVerify, server, "imap.example.com")).isTrue();
    } finally {
      server.close().sync();
    }
  }

  @Test
  void aCertificateFromAnUntrustedCaIsRefusedAndSoIsOneTheDefaultTrustStoreDoesNotKnow() throws Exception {
    Channel server = server(TestPki.create(dir, "Unknown CA").server(TestPki.KeyType.RSA, "imap.example.com"));
    try {
      assertThat(handshake(verifying(), server, "imap.example.com")).isFalse();
      BackendTls jdkStore = BackendTls.create(TlsConfigBuilder.backend(true, Optional.empty()));
      assertThat(handshake(jdkStore, server, "imap.example.com")).isFalse();
    } finally {
      server.close().sync();
    }
  }

  @Test
  void anIpLiteralIsCheckedAgainstIpSubjectAltNamesAndIsNotSentBySni() throws Exception {
    Channel withIp = server(pki.server(TestPki.KeyType.RSA, "127.0.0.1"));
    Channel dnsOnly = server(pki.server(TestPki.KeyType.RSA, "localhost"));
    try {
      SNI.clear();
      assertThat(handshake(verifying(), withIp, "127.0.0.1")).isTrue();
      assertThat(SNI.poll(5, TimeUnit.SECONDS)).isEqualTo("(none)");
      assertThat(handshake(verifying(), dnsOnly, "127.0.0.1")).isFalse();
    } finally {
      withIp.close().sync();
      dnsOnly.close().sync();
    }
  }

  @Test
  void oldProtocolsAreDroppedWithAWarning() throws Exception {
    BackendTls tls = BackendTls.create(new BackendTlsConfig(BackendTlsConfig.Mode.ON, true, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of("SSLv3", "TLSv1.2"), true));
    assertThat(tls.warnings()).containsExactly("\"proxy_ssl_protocols\": SSLv3 is not supported by BoringSSL, ignored");
    assertThat(tls.providerName()).isEqualTo("BoringSSL");
  }
}
