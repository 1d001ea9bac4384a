package io.mailgate.session;

import io.mailgate.codec.RequestDecoder;
import io.mailgate.tls.ClientTlsInfo;
import io.mailgate.tls.ServerTls;
import io.mailgate.transport.DirectMemory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Client-side TLS of a session, for every protocol: implicit TLS from the first byte ({@code listen ... ssl}) and the
 * STARTTLS/STLS upgrade, each followed by nginx's certificate checks ({@code ssl_verify_client}): a missing or bad
 * client certificate gets the protocol's reply and a close, after a completed handshake. The handshake is bounded by
 * {@code timeout}.
 */
public final class ClientTls {

  /** The pipeline name of the TLS handler: always first. */
  public static final String HANDLER = "tls";
  private static final String WATCHER = "tls-handshake";

  private ClientTls() {}

  /** Implicit TLS: handshake first, then {@code afterHandshake} (the protocol's greeting). */
  public static void startImplicit(ClientSession session, ServerTls tls, Runnable afterHandshake) {
    session.channel().pipeline().addFirst(HANDLER, tls.newHandler(session.channel().alloc(), false));
    watch(session, afterHandshake);
  }

  /**
   * STARTTLS (RFC 3501 §6.2.1, RFC 2595, RFC 3207): whatever the client pipelined in cleartext after the command is
   * discarded, never executed inside TLS; the TLS handler goes in before the reply is written, so the reply leaves in
   * clear and everything after it is TLS. {@code afterHandshake} resets the protocol's state and resumes the decoder.
   */
  public static void startTls(ClientSession session, RequestDecoder<?> decoder, String reply, Runnable afterHandshake) {
    ServerTls tls = session.server().tls().orElseThrow(() -> new IllegalStateException("no TLS for this server"));
    decoder.discardBuffered();
    decoder.pause();
    session.channel().pipeline().addFirst(HANDLER, tls.newHandler(session.channel().alloc(), true));
    watch(session, afterHandshake);
    session.writeLine(reply);
  }

  private static void watch(ClientSession session, Runnable afterHandshake) {
    session.log().setAction("SSL handshaking");
    session.armTimeout();
    session.channel().pipeline().addAfter(HANDLER, WATCHER, new ChannelInboundHandlerAdapter() {
      private boolean failed;

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof SslHandshakeCompletionEvent done)) {
          ctx.fireUserEventTriggered(event);
          return;
        }
        session.log().setAction(null);
        if (!done.isSuccess()) {
          // Stays in place: the TLS handler raises the same failure again as an exception, which must not travel on
          // (before an implicit-TLS greeting nothing else would handle it).
          handshakeFailed(done.cause());
          return;
        }
        ctx.pipeline().remove(this);
        ClientTlsInfo info = ClientTlsInfo.of(ctx.channel());
        session.tlsEstablished(info);
        if (certificateAcceptable(session, info)) {
          afterHandshake.run();
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        handshakeFailed(cause);
      }

      /**
       * The connection ended before the handshake did. If nothing else said why (a timeout, a failure logged above),
       * the client left: nginx's "peer closed connection in SSL handshake", at info.
       */
      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        if (!failed && session.record().closeReason().isEmpty()) {
          session.log().info("peer closed connection in SSL handshake");
          session.record().closeReason("TLS handshake failed");
          session.record().events().tlsHandshake(session.record(),
              java.util.Optional.of(new javax.net.ssl.SSLHandshakeException("peer closed connection")));
        }
        failed = true;
        ctx.fireChannelInactive();
      }

      /** A client mistake (plain text on a TLS port, a bad ClientHello, a reset): one info line, then close. */
      private void handshakeFailed(Throwable cause) {
        if (!failed && !session.channel().isActive()) {
          // The handshake failed because the connection is gone (the client left, or the timeout closed it): the
          // close is the news, told once by channelInactive or by whoever closed.
          return;
        }
        if (!failed) {
          failed = true;
          Throwable reason = cause.getCause() != null ? cause.getCause() : cause;
          // A handshake buffer that could not be allocated counts as a sign of exhaustion like any other.
          DirectMemory.exhausted(cause);
          session.log().info("SSL handshake failed (" + reason.getMessage() + ")");
          session.record().closeReason("TLS handshake failed");
          session.record().events().tlsHandshake(session.record(), java.util.Optional.of(reason));
        }
        session.close();
      }
    });
  }

  /** nginx's {@code ngx_mail_verify_cert}: true to go on; otherwise the reply is sent and the session closes. */
  private static boolean certificateAcceptable(ClientSession session, ClientTlsInfo info) {
    MailProtocol protocol = session.server().protocol();
    switch (info.check(session.config().tls().verifyClient())) {
      case CERTIFICATE_ERROR:
        session.log().info("client SSL certificate verify error: (" + info.verification().text() + ")");
        session.writeLineAndClose(protocol.certificateErrorReply());
        return false;
      case NO_REQUIRED_CERTIFICATE:
        session.log().info("client sent no required SSL certificate");
        session.writeLineAndClose(protocol.noCertificateReply());
        return false;
      default:
        return true;
    }
  }
}
