package io.mailgate.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * A tiny, fast auth_http service (nginx's mail auth protocol): every request gets {@code Auth-Status: OK} with the
 * backend address for the request's {@code Auth-Protocol}. HTTP/1.1 keep-alive with {@code Content-Length: 0}; an
 * HTTP/1.0 request without {@code Connection: keep-alive} (what nginx sends) is answered and closed.
 *
 * <pre>
 * java -cp mailgate-bench.jar io.mailgate.bench.AuthService --listen 127.0.0.1:19080 --imap 127.0.0.1:19143
 *     [--pop3 127.0.0.1:19110] [--smtp 127.0.0.1:19025] [--auth-user NAME] [--auth-pass SECRET] [--threads 1]
 * </pre>
 * {@code --auth-pass} adds {@code Auth-Pass} (needed when the client's method carries no reusable password).
 * {@code --users FILE} ({@code user:password:token} lines, the soak's) checks every login instead: see {@link Checker}.
 */
public final class AuthService implements AutoCloseable {

  /**
   * What the service answers.
   *
   * @param imap backend for {@code Auth-Protocol: imap} (null: answer a temporary error)
   * @param pop3 backend for pop3
   * @param smtp backend for smtp
   * @param authUser optional {@code Auth-User} override
   * @param authPass optional {@code Auth-Pass}
   * @param accounts null: every login succeeds; else only the logins these accounts allow (see {@link Checker})
   */
  public record Answers(HostPort imap, HostPort pop3, HostPort smtp, String authUser, String authPass,
      SoakAccounts accounts) {

    /** Every login succeeds. */
    public Answers(HostPort imap, HostPort pop3, HostPort smtp, String authUser, String authPass) {
      this(imap, pop3, smtp, authUser, authPass, null);
    }
  }

  private final EventLoopGroup group;
  private final Channel listener;

  private AuthService(EventLoopGroup group, Channel listener) {
    this.group = group;
    this.listener = listener;
  }

  /** Starts listening on {@code at} (port 0 picks a free port). */
  public static AuthService start(HostPort at, Answers answers, int threads) throws InterruptedException {
    EventLoopGroup group = Net.group(threads, "auth-service");
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(Net.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 16384)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(8192, 16384, 8192), new Responder(answers));
            }
          })
          .bind(at.address()).sync().channel();
      return new AuthService(group, channel);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully();
      throw e;
    }
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Answers each request head; bodies (auth_http has none) are dropped. */
  private static final class Responder extends ChannelInboundHandlerAdapter {

    private final Answers answers;

    Responder(Answers answers) {
      this.answers = answers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest) {
          respond(ctx, (HttpRequest) msg);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request) {
      String protocol = request.headers().get("Auth-Protocol", "imap").toLowerCase(Locale.ROOT);
      HostPort backend = "pop3".equals(protocol) ? answers.pop3() : "smtp".equals(protocol) ? answers.smtp()
          : answers.imap();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      FullHttpResponse response = new DefaultFullHttpResponse(
          request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
          HttpResponseStatus.OK);
      String refusal = answers.accounts() == null ? null : Checker.refusal(answers.accounts(), request);
      if (refusal != null) {
        // No Auth-Wait: the proxy answers NO and closes, as nginx does.
        response.headers().set("Auth-Status", refusal);
      } else if (backend == null) {
        response.headers().set("Auth-Status", "Temporary server problem, try again later")
            .set("Auth-Error-Code", "451 4.3.0").set("Auth-Wait", "3");
      } else {
        response.headers().set("Auth-Status", "OK").set("Auth-Server", backend.host())
            .set("Auth-Port", Integer.toString(backend.port()));
        if (answers.authUser() != null) {
          response.headers().set("Auth-User", answers.authUser());
        }
        if (answers.authPass() != null) {
          response.headers().set("Auth-Pass", answers.authPass());
        }
        if (answers.accounts() != null) {
          // The backend (Dovecot) checks the password again; CRAM-MD5 and bearer logins carry none of their own.
          response.headers().set("Auth-Pass",
              answers.accounts().find(Checker.decode(request.headers().get("Auth-User", ""))).password());
        }
      }
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      if (keepAlive) {
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
          response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response);
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /**
   * The login check of {@code --users}: {@code Auth-Method: plain} (PLAIN, LOGIN, IMAP LOGIN) must carry the user's
   * password, {@code cram-md5} the RFC 2195 digest of {@code Auth-Salt} keyed with it, {@code xoauth2} and
   * {@code oauthbearer} the user's token. Anything else, or an unknown user, is refused.
   */
  static final class Checker {

    private Checker() {}

    /** Null when the request's credentials are right, else the failure text for {@code Auth-Status}. */
    static String refusal(SoakAccounts accounts, HttpRequest request) {
      SoakAccounts.Account account = accounts.find(decode(request.headers().get("Auth-User", "")));
      String pass = decode(request.headers().get("Auth-Pass", ""));
      String method = request.headers().get("Auth-Method", "").toLowerCase(Locale.ROOT);
      boolean ok = account != null && switch (method) {
        case "plain" -> account.password().equals(pass);
        case "cram-md5" -> SoakAccounts.cramMd5(account.password(), request.headers().get("Auth-Salt", ""))
            .equalsIgnoreCase(pass);
        case "xoauth2", "oauthbearer" -> account.token().equals(pass);
        default -> false;
      };
      return ok ? null : "Invalid login or password";
    }

    /** Undoes the proxy's percent-encoding of {@code Auth-User}/{@code Auth-Pass} (space, {@code %}, controls). */
    static String decode(String value) {
      if (value.indexOf('%') < 0) {
        return value;
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(value.length());
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '%' && i + 2 < value.length()) {
          out.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
          i += 2;
        } else {
          out.write(c);
        }
      }
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Command-line entry point; see the class comment. */
  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv);
    HostPort at = args.hostPort("listen");
    Answers answers = new Answers(args.hostPort("imap"), args.hostPort("pop3"), args.hostPort("smtp"),
        args.string("auth-user", null), args.string("auth-pass", null),
        args.has("users") ? SoakAccounts.read(java.nio.file.Path.of(args.string("users", null))) : null);
    int threads = args.integer("threads", 1);
    Duration exitAfter = args.duration("exit-after", Duration.ZERO);
    args.rejectUnknown();
    if (at == null) {
      System.err.println("usage: AuthService --listen host:port --imap host:port [--pop3 host:port] "
          + "[--smtp host:port] [--auth-user NAME] [--auth-pass SECRET] [--users FILE] [--threads 1] [--exit-after 1h]");
      System.exit(2);
    }
    AuthService service = start(at, answers, threads);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    System.out.println(new Json().put("event", "listening").put("tool", "auth-service").put("port", service.port())
        .put("transport", Net.name()));
    System.out.flush();
    if (exitAfter.isZero()) {
      Thread.currentThread().join();
    } else {
      Thread.sleep(exitAfter.toMillis());
      System.exit(0);
    }
  }
}
