package io.mailgate.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers one metrics-server request: {@code GET /metrics}, {@code /health/live}, {@code /health/ready}. */
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);

  /** The Prometheus text exposition format the registry writes by default. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final ProxyMetrics metrics;
  private final Health health;

  MetricsHandler(ProxyMetrics metrics, Health health) {
    this.metrics = metrics;
    this.health = health;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n", false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    String uri = request.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
    if (!known) {
      send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", keepAlive);
    } else if (!request.method().equals(HttpMethod.GET)) {
      FullHttpResponse response = response(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "method not allowed\n");
      response.headers().set(HttpHeaderNames.ALLOW, "GET");
      write(ctx, response, keepAlive);
    } else if (path.equals("/metrics")) {
      send(ctx, request, HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape(), keepAlive);
    } else if (path.equals("/health/live")) {
      send(ctx, request, HttpResponseStatus.OK, TEXT, "live\n", keepAlive);
    } else {
      Optional<String> problem = health.problem();
      if (problem.isPresent()) {
        send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "not ready: " + problem.get() + "\n",
            keepAlive);
      } else {
        send(ctx, request, HttpResponseStatus.OK, TEXT, "ready\n", keepAlive);
      }
    }
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
      String type, String body, boolean keepAlive) {
    write(ctx, response(ctx, status, type, body), keepAlive);
  }

  private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status, String type,
      String body) {
    ByteBuf content = ctx.alloc().buffer(body.length());
    content.writeCharSequence(body, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    return response;
  }

  private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      // A scraper that keeps a connection open without asking anything holds a socket for nothing.
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("metrics connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
