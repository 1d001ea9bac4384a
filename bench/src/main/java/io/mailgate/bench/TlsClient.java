package io.mailgate.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * The load generator's TLS client: BoringSSL when available (the JDK's TLS would make the client, not the proxy, the
 * bottleneck), any certificate trusted (benchmarks only), and a count of the handshakes that resumed a session.
 *
 * <p>Without resumption every connection is a full handshake, as from a client that has never connected. With it,
 * the engine is created for the target's host and port, so that Netty's client session cache offers a session from an
 * earlier connection of this run: with TLS 1.3 a ticket, used once (RFC 8446 C.4: the cache drops a ticket once it
 * was offered, and each connection brings new ones in with the greeting); with TLS 1.2 the session ID of an earlier
 * connection (Netty's client sends no TLS 1.2 ticket extension by default, so TLS 1.2 resumption is the server's
 * session cache). The target is an IP address, so no SNI is sent, as without resumption.
 */
final class TlsClient {

  private final SslContext context;
  private final boolean resume;
  private final String host;
  private final int port;
  private final LongAdder handshakes = new LongAdder();
  private final LongAdder resumed = new LongAdder();
  private final AtomicReference<String> negotiated = new AtomicReference<>();

  /**
   * @param version {@code 1.2}, {@code 1.3}, or null for both (the server picks TLS 1.3)
   * @param resume whether a new connection offers a session of an earlier one
   */
  TlsClient(HostPort target, String version, boolean resume) throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        // The engine gets the target's address as its peer (the session cache's key): no host name check.
        .endpointIdentificationAlgorithm(null);
    if (version != null) {
      builder.protocols("TLSv" + version);
    }
    this.context = builder.build();
    this.resume = resume;
    this.host = target.host();
    this.port = target.port();
  }

  /** {@code openssl} or {@code jdk}. */
  static String provider() {
    return OpenSsl.isAvailable() ? "openssl" : "jdk";
  }

  /** Puts the TLS handler, and the handler that counts the handshake, first in a new connection's pipeline. */
  void addTo(ChannelPipeline pipeline) {
    SslHandler ssl = resume ? context.newHandler(pipeline.channel().alloc(), host, port)
        : context.newHandler(pipeline.channel().alloc());
    pipeline.addLast(ssl, new HandshakeCounter(ssl.engine()));
  }

  /** Successful handshakes so far. */
  long handshakes() {
    return handshakes.sum();
  }

  /** Of those, how many resumed a session; -1 when the provider cannot tell (the JDK's). */
  long resumed() {
    return OpenSsl.isAvailable() ? resumed.sum() : -1;
  }

  /**
   * The protocol, cipher suite and key-exchange group of the first handshake, e.g. {@code TLSv1.3
   * TLS_AES_128_GCM_SHA256 X25519}, or null.
   */
  String negotiated() {
    return negotiated.get();
  }

  /** Counts the handshake when it completes, then leaves the pipeline. */
  private final class HandshakeCounter extends ChannelInboundHandlerAdapter {
    private final SSLEngine engine;

    HandshakeCounter(SSLEngine engine) {
      this.engine = engine;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof SslHandshakeCompletionEvent done) {
        if (done.isSuccess()) {
          handshakes.increment();
          if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            long ssl = openSsl.sslPointer();
            if (SSL.isSessionReused(ssl)) {
              resumed.increment();
            }
            if (negotiated.get() == null) {
              negotiated.compareAndSet(null, engine.getSession().getProtocol() + " "
                  + engine.getSession().getCipherSuite() + " " + group(ssl));
            }
          }
        }
        ctx.fireUserEventTriggered(event);
        ctx.pipeline().remove(this);
        return;
      }
      ctx.fireUserEventTriggered(event);
    }

    private String group(long ssl) {
      try {
        return SSL.getGroupName(ssl);
      } catch (Exception | UnsatisfiedLinkError e) {
        return "?";
      }
    }
  }
}
