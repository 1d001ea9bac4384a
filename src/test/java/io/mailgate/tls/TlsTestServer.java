package io.mailgate.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server whose pipeline starts with {@link ServerTls#newHandler}, greets {@code * OK tls} after the
 * handshake and records {@link ClientTlsInfo}. In STARTTLS mode it speaks just enough IMAP for
 * {@code s_client -starttls imap}.
 */
final class TlsTestServer implements AutoCloseable {
  final BlockingQueue<ClientTlsInfo> infos = new LinkedBlockingQueue<>();
  final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
  final AtomicInteger closed = new AtomicInteger();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  TlsTestServer(ServerTls tls, boolean startTls) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (startTls) {
              ch.pipeline().addLast(new LineBasedFrameDecoder(1000), new StartTlsImap(tls));
            } else {
              ch.pipeline().addLast(tls.newHandler(ch.alloc(), false));
            }
            ch.pipeline().addLast(new Recorder());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static ByteBuf text(String line) {
    return Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII);
  }

  private final class Recorder extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        if (done.isSuccess()) {
          infos.add(ClientTlsInfo.of(ctx.channel()));
          ctx.writeAndFlush(text("* OK tls\r\n"));
        } else {
          failures.add(done.cause());
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.incrementAndGet();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failures.add(cause);
      ctx.close();
    }
  }

  /** Greets, answers CAPABILITY, and on STARTTLS adds the TLS handler first and then replies in clear. */
  private static final class StartTlsImap extends ChannelInboundHandlerAdapter {
    private final ServerTls tls;

    StartTlsImap(ServerTls tls) {
      this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(text("* OK IMAP ready\r\n"));
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf line = (ByteBuf) msg;
      String command = line.toString(StandardCharsets.US_ASCII);
      line.release();
      String tag = command.split(" ", 2)[0];
      if (command.toUpperCase().endsWith("CAPABILITY")) {
        ctx.writeAndFlush(text("* CAPABILITY IMAP4rev1 STARTTLS\r\n" + tag + " OK done\r\n"));
      } else if (command.toUpperCase().endsWith("STARTTLS")) {
        ctx.pipeline().addFirst(tls.newHandler(ctx.alloc(), true));
        ctx.writeAndFlush(text(tag + " OK begin TLS\r\n"));
      }
    }
  }
}
