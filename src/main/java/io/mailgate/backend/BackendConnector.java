package io.mailgate.backend;

import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Errno;
import io.mailgate.transport.OutboundSockets;
import io.mailgate.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a backend connection on the client's event loop (no thread hop, as Velocity does) and runs a
 * {@link BackendLogin} on it. The target's addresses are tried in order: a refused connection or one not up within
 * {@code proxy_connect_timeout} moves on to the next (each such failure reported once), while anything after the TCP
 * connect (a bad greeting, rejected credentials) ends the login there: that backend was reached, and trying another
 * could submit a message twice or count a failed login twice against the account. One deadline ({@code timeout})
 * bounds the whole login, every connect included. Each connection counts against {@code worker_connections}. With
 * implicit TLS ({@link BackendLogin#tls()}) the TLS handler goes first.
 */
public final class BackendConnector {

  private static final Logger LOG = LoggerFactory.getLogger(BackendConnector.class);

  /** Names of the backend pipeline's handlers, replaced by the relay after the login. */
  public static final String FRAMER = "framer";
  /** See {@link #FRAMER}. */
  public static final String LOGIN = "backend-login";
  /** The handler that installs the login once connected (package-private: tests find the channel set up by it). */
  static final String SETUP = "backend-setup";

  private final Transport transport;
  private final ConnectionGate gate;

  /** A connector using {@code transport}'s channel classes and counting connections in {@code gate}. */
  public BackendConnector(Transport transport, ConnectionGate gate) {
    this.transport = transport;
    this.gate = gate;
  }

  /**
   * The bounds of one login.
   *
   * @param timeout from the first connect to the login's last reply ({@code timeout})
   * @param connectTimeout each address's TCP connect ({@code proxy_connect_timeout})
   * @param lineLimit longest backend response line during the login ({@code proxy_buffer})
   */
  public record Limits(Duration timeout, Duration connectTimeout, int lineLimit) {}

  /** Told about the addresses as they are tried (on the loop), e.g. for the session's log. */
  public interface Progress {
    /** {@code address} is being connected to. */
    void connecting(InetSocketAddress address);

    /**
     * Connecting to {@code address} failed with {@code reason} (e.g. {@code connect() failed (111: Connection
     * refused)}) and the next address is tried. The last address's failure is not reported here: it fails the login.
     */
    void failedOver(InetSocketAddress address, String reason);
  }

  /**
   * One login's connections: the login's outcome, which completes on the loop with the client's reply or fails with a
   * {@link BackendLoginException}, and the channel of the address being tried (the connected one once the login has
   * succeeded).
   */
  public static final class Attempt {
    private final Promise<String> result;
    private Channel channel;
    private InetSocketAddress address;

    Attempt(Promise<String> result) {
      this.result = result;
    }

    /** The login's outcome. */
    public Promise<String> result() {
      return result;
    }

    /** The current backend channel; absent before the first connect or when no connection slot was free. */
    public Optional<Channel> channel() {
      return Optional.ofNullable(channel);
    }

    /** The address of {@link #channel()}. */
    public Optional<InetSocketAddress> address() {
      return Optional.ofNullable(address);
    }

    /**
     * The client went away: the login fails first, so that the connect this closes is not taken for a dead address
     * and followed by the next one; then the current connection closes.
     */
    public void abandon() {
      result.tryFailure(new BackendLoginException(BackendFailure.CONNECT, "client closed connection",
          Optional.empty()));
      channel().ifPresent(Channel::close);
    }
  }

  /** The backend login's line framer: CRLF or LF, at most {@code lineLimit} bytes, line ends stripped. */
  static LineBasedFrameDecoder newFramer(int lineLimit) {
    return new LineBasedFrameDecoder(lineLimit, true, false);
  }

  /**
   * Connects to {@code target} and logs in with {@code login} (already {@link BackendLogin#init initialised}).
   *
   * @param header the PROXY protocol header that opens the connection ({@code proxy_protocol}), if any
   */
  public Attempt connect(EventLoop loop, BackendTarget target, BackendLogin login, Limits limits,
      Optional<ProxyProtocolHeader> header, Progress progress) {
    if (!target.resolved()) {
      throw new IllegalArgumentException("backend " + target + " is not resolved");
    }
    Attempt attempt = new Attempt(login.result());
    login.lineLimit(limits.lineLimit());
    ScheduledFuture<?> deadline = loop.schedule(() -> {
      attempt.result.tryFailure(new BackendLoginException(BackendFailure.TIMEOUT, "upstream timed out",
          Optional.empty()));
    }, limits.timeout().toNanos(), TimeUnit.NANOSECONDS);
    attempt.result.addListener(f -> deadline.cancel(false));
    new Tries(loop, target, login, limits, header, progress, attempt).next(0);
    return attempt;
  }

  /** The connects of one login, one address after the other. */
  private final class Tries {
    private final EventLoop loop;
    private final BackendTarget target;
    private final BackendLogin login;
    private final Limits limits;
    private final Optional<ProxyProtocolHeader> header;
    private final Progress progress;
    private final Attempt attempt;
    /** A socket of this login was closed before it could connect, and was replaced once (see next). */
    private boolean strayCloseRetried;

    Tries(EventLoop loop, BackendTarget target, BackendLogin login, Limits limits,
        Optional<ProxyProtocolHeader> header, Progress progress, Attempt attempt) {
      this.loop = loop;
      this.target = target;
      this.login = login;
      this.limits = limits;
      this.header = header;
      this.progress = progress;
      this.attempt = attempt;
    }

    void next(int index) {
      Promise<String> result = attempt.result;
      if (result.isDone()) {
        return;
      }
      if (!gate.tryAcquire(loop)) {
        result.tryFailure(new BackendLoginException(BackendFailure.INTERNAL, "worker_connections are not enough",
            Optional.empty()));
        return;
      }
      InetSocketAddress address = target.addresses().get(index);
      progress.connecting(address);
      Setup setup = new Setup();
      Bootstrap bootstrap = new Bootstrap()
          .group(loop)
          .channel(transport.socketChannel())
          // No Netty connect timer: ours below is cancelled once connected, while Netty's timer object would stay
          // referenced by the channel for the whole proxied session.
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              // The login's handlers join only a connected channel: the login is one handler per session, and a
              // failed connect must leave it free for the next address.
              ch.pipeline().addLast(SETUP, setup);
            }
          });
      ChannelFuture connect;
      try {
        connect = OutboundSockets.connect(bootstrap, address);
      } catch (OutboundSockets.NoSocketException e) {
        // No socket for any address either: the login fails here (nginx: an internal server error), slot given back.
        gate.release(loop);
        attempt.result.tryFailure(new BackendLoginException(BackendFailure.INTERNAL, e.getMessage(),
            Optional.empty()));
        return;
      }
      Channel channel = connect.channel();
      attempt.channel = channel;
      attempt.address = address;
      // Captures only the gate and the loop: this listener lives as long as the backend connection, and these Tries
      // (the login, its progress callback, hence the session and its server's configuration) must not.
      releaseOnClose(channel, gate, loop);
      ScheduledFuture<?> connectDeadline = loop.schedule(() -> {
        if (!connect.isDone()) {
          failed(index, BackendFailure.TIMEOUT, "upstream timed out (110: Connection timed out)");
          channel.close();
        }
      }, limits.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
      connect.addListener((ChannelFuture f) -> {
        connectDeadline.cancel(false);
        if (!f.isSuccess() && !result.isDone() && attempt.channel == channel) {
          if (closedBeforeConnecting(channel, f.cause(), setup) && !strayCloseRetried) {
            // Nothing went out: this socket was closed before its connect() call (Netty's epoll transport, given an
            // event meant for the descriptor's previous owner, closes a socket it finds hung up). Seen in the soak,
            // 1 in 25,000 connects under load. The backend never heard of it, so the same address is tried once
            // more on a new socket instead of failing the login.
            strayCloseRetried = true;
            attempt.channel = null;
            next(index);
            return;
          }
          failed(index, BackendFailure.CONNECT,
              "connect() failed (" + Errno.describe(setup.faultBeforeConnect().orElse(f.cause())) + ")");
        }
      });
    }

    /** Closed with no error of its own before connect() bound it to a local port: no packet was sent. */
    private static boolean closedBeforeConnecting(Channel channel, Throwable cause, Setup setup) {
      return cause instanceof ClosedChannelException && setup.faultBeforeConnect().isEmpty()
          && channel.localAddress() == null;
    }

    private static void releaseOnClose(Channel channel, ConnectionGate gate, EventLoop loop) {
      channel.closeFuture().addListener(f -> gate.release(loop));
    }

    /** The address at {@code index} could not be connected to: the next one is tried, or the login fails. */
    private void failed(int index, BackendFailure failure, String reason) {
      if (index + 1 < target.addresses().size()) {
        progress.failedOver(target.addresses().get(index), reason);
        // Dropped before the next connect: the failed channel must not count as this login's any more.
        attempt.channel = null;
        next(index + 1);
      } else {
        attempt.result.tryFailure(new BackendLoginException(failure, reason, Optional.empty()));
      }
    }

    /** Installs the login's handlers once the TCP connection is up, then lets them see it come up. */
    private final class Setup extends ChannelInboundHandlerAdapter {
      private Throwable faultBeforeConnect;

      /**
       * What failed the connect when it was reported to the pipeline rather than to the connect itself: this handler
       * closes the channel, and the connect then fails with a bare ClosedChannelException.
       */
      Optional<Throwable> faultBeforeConnect() {
        return Optional.ofNullable(faultBeforeConnect);
      }

      /** Only before the connect completes (once connected, this handler is gone): ends this attempt, no warning. */
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (OutboundSockets.isStrayReadBeforeConnect(ctx.channel(), cause)) {
          LOG.debug("backend connect: read before the connect completed ignored ({})", ctx.channel());
          return;
        }
        if (faultBeforeConnect == null) {
          faultBeforeConnect = cause;
        }
        ctx.close();
      }

      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        String last = ctx.name();
        // The PROXY header precedes everything, the TLS handshake included (proxy-protocol.txt §2): the sender
        // writes it as it joins the connected channel, before the TLS handler below starts its handshake.
        if (header.isPresent()) {
          pipeline.addAfter(last, ProxyProtocolSender.NAME, new ProxyProtocolSender(header.get()));
        }
        // Implicit TLS: the handshake comes first, so the greeting is read over TLS.
        Optional<BackendTlsPlan> implicit = login.tls().filter(BackendTlsPlan::implicit);
        if (implicit.isPresent()) {
          pipeline.addAfter(last, BackendLogin.TLS, implicit.get().newHandler(ctx.alloc()));
          last = BackendLogin.TLS;
        }
        pipeline.addAfter(last, FRAMER, newFramer(limits.lineLimit()));
        pipeline.addAfter(FRAMER, LOGIN, login);
        ctx.fireChannelActive();
        pipeline.remove(this);
      }
    }
  }
}
