package io.mailgate.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.Mapping;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the ClientHello, refuses a client whose ALPN list lacks our protocol (closed before any greeting, as nginx's
 * ALPN callback fails the handshake), picks the SslContext by SNI, and replaces itself with that context's
 * SslHandler. It only reads: a STARTTLS reply written after it was added goes out in clear.
 */
final class ServerTlsHandler extends SniHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTlsHandler.class);

  private final String alpnProtocol;
  private final boolean preferServerCiphers;
  private final ClientCertVerifier verifier;
  private final boolean noTickets;
  private boolean alpnRefused;
  private ClientHello hello;

  ServerTlsHandler(Mapping<String, SslContext> contexts, String alpnProtocol, boolean preferServerCiphers,
      ClientCertVerifier verifier, boolean noTickets) {
    super(contexts);
    this.alpnProtocol = alpnProtocol;
    this.preferServerCiphers = preferServerCiphers;
    this.verifier = verifier;
    this.noTickets = noTickets;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    if (verifier != null) {
      ctx.channel().attr(ClientTlsInfo.VERIFIER).set(verifier);
    }
    super.handlerAdded(ctx);
  }

  @Override
  protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
    if (clientHello != null) {
      hello = ClientHello.parse(clientHello);
      Optional<List<String>> offered = hello.alpn();
      alpnRefused = offered.isPresent() && !offered.get().contains(alpnProtocol);
    }
    return super.lookup(ctx, clientHello);
  }

  @Override
  protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) throws Exception {
    if (alpnRefused) {
      LOG.info("client {} offered ALPN protocols without \"{}\", closing", ctx.channel().remoteAddress(),
          alpnProtocol);
      ctx.close();
      return;
    }
    super.replaceHandler(ctx, hostname, sslContext);
  }

  @Override
  protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
    SslHandler handler = super.newSslHandler(context, allocator);
    SSLEngine engine = handler.engine();
    if (hello != null) {
      PairKeyManager.hint(engine, hello);
    }
    if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      // Straight on the connection, not through SSLParameters: a get/set round trip of those copies the enabled
      // protocols and suites (native calls and name conversions) at every handshake. Netty's contexts turn server
      // preference on; nginx's default (ssl_prefer_server_ciphers off) is the client's order.
      long ssl = openSsl.sslPointer();
      if (preferServerCiphers) {
        SSL.setOptions(ssl, SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
      } else {
        SSL.clearOptions(ssl, SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
      }
      if (noTickets) {
        // Netty's contexts issue TLS 1.3 tickets whatever the context options say; BoringSSL honours the option on
        // the connection for both TLS 1.2 and 1.3 tickets.
        SSL.setOptions(ssl, SSL.SSL_OP_NO_TICKET);
      }
    } else {
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setUseCipherSuitesOrder(preferServerCiphers);
      engine.setSSLParameters(parameters);
    }
    return handler;
  }
}
