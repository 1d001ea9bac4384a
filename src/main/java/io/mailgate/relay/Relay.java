package io.mailgate.relay;

import io.mailgate.transport.DirectMemory;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The byte pump of a logged-in session: whatever one side sends is written to the other, with backpressure (a side
 * stops reading while the other cannot take more) and one idle timeout ({@code proxy_timeout}) over both directions.
 * Both channels live on the same event loop, so the shared state below needs no synchronisation.
 */
public final class Relay {

  /**
   * How much a side may queue for a slow peer before it stops reading (and how far it drains before reading again).
   * Netty's 64 KB default paused and resumed reading, and re-armed the peer's EPOLLOUT, about once per 64 KB read of
   * a bulk transfer (30 epoll_ctl calls per MiB): 256 KB cut the relay's CPU per GB by about a fifth and raised its
   * throughput by 10-20% (bench/README.md). Only a session whose peer lags holds this much; an idle one holds none.
   */
  private static final WriteBufferWaterMark RELAY_WATER_MARKS = new WriteBufferWaterMark(128 * 1024, 256 * 1024);

  private final Channel client;
  private final Channel backend;
  private final long idleNanos;
  private final Watcher watcher;
  private long lastActivity = System.nanoTime();
  private ScheduledFuture<?> idleCheck;
  private boolean ended;

  private Relay(Channel client, Channel backend, Duration idleTimeout, Watcher watcher) {
    this.client = client;
    this.backend = backend;
    this.idleNanos = idleTimeout.toNanos();
    this.watcher = watcher;
  }

  /** Told of the bytes each way (the access log and the metrics count them) and of the end. On the relay's loop. */
  public interface Watcher {
    /** {@code bytes} read from the client, on their way to the backend. */
    void fromClient(int bytes);

    /** {@code bytes} read from the backend, on their way to the client. */
    void fromBackend(int bytes);

    /** Called once with the reason when the relay ends (for the session's closing log line). */
    void ended(String reason);
  }

  /**
   * Joins the two channels. Returns the handlers to add to each pipeline; the caller puts them in place (before
   * removing its framers, so that bytes the framers still hold flow through them in order).
   *
   * @param watcher told of the bytes relayed and of the end
   */
  public static Relay between(Channel client, Channel backend, Duration idleTimeout, Watcher watcher) {
    return new Relay(client, backend, idleTimeout, watcher);
  }

  /** The handler for the client channel: forwards to the backend. */
  public ChannelInboundHandlerAdapter clientSide() {
    return new Side(backend, true);
  }

  /** The handler for the backend channel: forwards to the client. */
  public ChannelInboundHandlerAdapter backendSide() {
    return new Side(client, false);
  }

  /** Starts the idle timer and reading on both sides; call once both handlers are in place. */
  public void start() {
    client.config().setWriteBufferWaterMark(RELAY_WATER_MARKS);
    backend.config().setWriteBufferWaterMark(RELAY_WATER_MARKS);
    scheduleIdleCheck(idleNanos);
    client.config().setAutoRead(true);
    backend.config().setAutoRead(true);
  }

  private void scheduleIdleCheck(long delayNanos) {
    idleCheck = client.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void checkIdle() {
    long idle = System.nanoTime() - lastActivity;
    if (idle >= idleNanos) {
      end("proxied session timed out");
    } else {
      scheduleIdleCheck(idleNanos - idle);
    }
  }

  private void end(String reason) {
    if (ended) {
      return;
    }
    ended = true;
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    closeOnFlush(client);
    closeOnFlush(backend);
    watcher.ended(reason);
  }

  /** Closes after what is queued has been written, so a final reply still reaches its reader. */
  private static void closeOnFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  /** One direction. */
  private final class Side extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final boolean fromClient;

    Side(Channel peer, boolean fromClient) {
      this.peer = peer;
      this.fromClient = fromClient;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!peer.isActive()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      lastActivity = System.nanoTime();
      if (msg instanceof io.netty.buffer.ByteBuf buf) {
        if (fromClient) {
          watcher.fromClient(buf.readableBytes());
        } else {
          watcher.fromBackend(buf.readableBytes());
        }
      }
      peer.write(msg, peer.voidPromise());
      if (!peer.isWritable()) {
        // The peer's outbound buffer is full: stop reading here until it drains (channelWritabilityChanged). Reading
        // stops before the flush: a flush that drains at once turns reading back on from inside, and must win.
        ctx.channel().config().setAutoRead(false);
        peer.flush();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        peer.config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      end(fromClient ? "client closed connection" : "upstream closed connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (DirectMemory.exhausted(cause)) {
        // A buffer for this session could not be had: this session ends, the others go on (DirectMemory).
        end("out of direct memory while proxying (" + cause.getMessage() + ")");
        return;
      }
      end((fromClient ? "client" : "upstream") + " connection error (" + cause.getMessage() + ")");
    }
  }
}
