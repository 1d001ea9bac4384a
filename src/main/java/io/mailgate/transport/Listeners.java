package io.mailgate.transport;

import io.mailgate.config.ListenConfig;
import io.mailgate.log.NginxLevels;
import io.mailgate.session.ClientSession;
import io.mailgate.session.ClientTls;
import io.mailgate.session.LiveSessions;
import io.mailgate.session.LoginResources;
import io.mailgate.session.ProxyProtocolReader;
import io.mailgate.session.ServerRuntime;
import io.mailgate.session.SessionRecord;
import io.mailgate.throttle.ConnectionLimits;
import io.mailgate.throttle.SessionSlots;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening sockets, and the live configuration each one serves. Each accepted connection becomes a
 * {@link ClientSession} of the server its listener belongs to at that moment. A reload hands over a new set of
 * servers ({@link #apply}): an address that stays keeps its socket, so no connection is refused or reset across the
 * switch, and only its route changes; new addresses are bound, removed ones closed. Binding runs on the calling thread
 * (start-up or the reload thread), never on an event loop.
 */
public final class Listeners {

  /** The handler that closes the session's record ({@link RecordEnd}). */
  public static final String RECORD_END = "record-end";

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final EventLoopGroup group;
  private final Transport transport;
  private final LiveSessions sessions;
  /** Touched only by the thread that starts, reloads and stops mailgate (one at a time). */
  private final Map<SocketAddress, Bound> bound = new LinkedHashMap<>();

  /** Listeners whose connections are served by {@code group} and registered in {@code sessions}. */
  public Listeners(EventLoopGroup group, Transport transport, LiveSessions sessions) {
    this.group = group;
    this.transport = transport;
    this.sessions = sessions;
  }

  /** One listening socket and what it serves now. */
  private static final class Bound {
    /** Set once bound; used only by the thread that starts, reloads and stops mailgate. */
    private Channel channel;
    /** Read by the event loops at every accept, written by a reload: volatile. */
    private volatile Route route;

    Bound(Route route) {
      this.route = route;
    }
  }

  /** A {@code listen} of a live server. */
  private record Route(ServerRuntime server, ListenConfig listen) {}

  /**
   * Makes the listening sockets those of {@code servers}. New addresses are bound first: if one fails, those just
   * bound are closed again and nothing else changes (the previous configuration keeps serving). Then every address
   * that stays serves its new server (its socket options adjusted in place), and addresses no longer listed stop
   * accepting; sessions they accepted go on.
   *
   * @throws BindException naming the address, nginx-style ({@code bind() to 127.0.0.1:143 failed (...)})
   */
  public void apply(List<ServerRuntime> servers) throws BindException {
    Map<SocketAddress, Route> wanted = new LinkedHashMap<>();
    for (ServerRuntime server : servers) {
      for (ListenConfig listen : server.config().listens()) {
        wanted.put(listen.address(), new Route(server, listen));
      }
    }
    Map<SocketAddress, Bound> added = new LinkedHashMap<>();
    try {
      for (Map.Entry<SocketAddress, Route> e : wanted.entrySet()) {
        if (!bound.containsKey(e.getKey())) {
          added.put(e.getKey(), bind(e.getValue()));
        }
      }
    } catch (BindException e) {
      added.values().forEach(b -> closeSocket(b.channel));
      throw e;
    }
    for (Map.Entry<SocketAddress, Route> e : wanted.entrySet()) {
      Bound existing = bound.get(e.getKey());
      if (existing != null) {
        adjustSocket(existing, e.getValue().listen());
        existing.route = e.getValue();
      }
    }
    bound.putAll(added);
    for (Iterator<Map.Entry<SocketAddress, Bound>> it = bound.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<SocketAddress, Bound> e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        LOG.info(NginxLevels.NOTICE, "stopped listening on {}", e.getValue().route.listen().text());
        closeSocket(e.getValue().channel);
        it.remove();
      }
    }
  }

  private Bound bind(Route route) throws BindException {
    ListenConfig listen = route.listen();
    SocketAddress address = listen.address();
    boolean unix = address instanceof DomainSocketAddress;
    ServerBootstrap bootstrap = new ServerBootstrap().group(group);
    if (unix) {
      bootstrap.channel(transport.serverDomainSocketChannel()
          .orElseThrow(() -> new BindException("bind() to " + listen.text() + " failed (unix sockets need epoll)")));
      new java.io.File(((DomainSocketAddress) address).path()).delete();
    } else {
      bootstrap.channel(transport.serverSocketChannel());
      bootstrap.option(ChannelOption.SO_REUSEADDR, true);
    }
    bootstrap.option(ChannelOption.SO_BACKLOG, listen.backlog());
    listen.rcvbuf().ifPresent(size -> bootstrap.option(ChannelOption.SO_RCVBUF, size));
    Bound created = new Bound(route);
    bootstrap.handler(AcceptErrors.forListener(listen.text()));
    bootstrap.childHandler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        accept(created, ch);
      }
    });
    ChannelFuture bind = bootstrap.bind(address).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new BindException("bind() to " + listen.text() + " failed (" + bind.cause().getMessage() + ")");
    }
    created.channel = bind.channel();
    return created;
  }

  /**
   * A listener that stays across a reload takes its new options without being re-bound (re-binding would refuse or
   * reset connections): {@code rcvbuf} is set on the socket (accepted sockets inherit it), {@code backlog} by calling
   * listen(2) again, which Linux allows on a listening socket (native transport only).
   */
  private void adjustSocket(Bound b, ListenConfig now) {
    ListenConfig before = b.route.listen();
    Channel channel = b.channel;
    if (now.rcvbuf().isPresent() && !now.rcvbuf().equals(before.rcvbuf())) {
      channel.config().setOption(ChannelOption.SO_RCVBUF, now.rcvbuf().getAsInt());
    }
    if (now.backlog() != before.backlog()) {
      if (channel instanceof UnixChannel unixChannel && unixChannel.fd() instanceof Socket socket) {
        try {
          socket.listen(now.backlog());
        } catch (IOException e) {
          LOG.warn("listen() on {} with backlog={} failed ({}), the previous backlog stays", now.text(),
              now.backlog(), e.getMessage());
        }
      } else {
        LOG.info(NginxLevels.NOTICE, "backlog={} on {} takes effect after a restart ({} transport)", now.backlog(),
            now.text(), transport.name());
      }
    }
  }

  private void accept(Bound listener, Channel ch) {
    Route route = listener.route;
    LoginResources.Hold hold = route.server().resources().tryHold();
    if (hold == null && listener.route != route) {
      // A reload switched this listener while the connection was being accepted: the new configuration serves it.
      route = listener.route;
      hold = route.server().resources().tryHold();
    }
    if (hold == null) {
      ch.close();
      return;
    }
    ServerRuntime server = route.server();
    ListenConfig listen = route.listen();
    ConnectionGate gate = server.gate();
    if (!gate.tryAcquire(ch.eventLoop())) {
      LOG.error("worker_connections are not enough");
      hold.release();
      ch.close();
      return;
    }
    // TCP_NODELAY is not set here: Netty's socket channels (epoll and NIO) turn it on when they are created, and
    // a second setsockopt per accepted connection is measurable in the login storm (bench/README.md).
    if (!(listen.address() instanceof DomainSocketAddress)) {
      listen.soKeepalive().ifPresent(k -> ch.config().setOption(ChannelOption.SO_KEEPALIVE, k.on()));
      listen.sndbuf().ifPresent(size -> ch.config().setOption(ChannelOption.SO_SNDBUF, size));
    }
    ClientSession session = new ClientSession(ch, server, clientIp(ch.remoteAddress()), listen.text(), hold);
    // The close listener holds the gate and the hold, not the session: a relaying session keeps no configuration
    // reachable (its hold, given back at the relay, lets go of it too).
    LoginResources.Hold closing = hold;
    SessionRecord record = session.record();
    ConnectionLimits limits = server.guards().limits();
    SessionSlots slots = limits.newSlots();
    session.slots(slots);
    ch.closeFuture().addListener(f -> {
      gate.release(ch.eventLoop());
      closing.release();
      slots.release();
    });
    // The record is final once the pipeline has seen the close: the close future completes before channelInactive
    // reaches the relay and the front end, which give the reason (the client closed, the upstream closed), so the
    // watchers (access log, metrics) are told only after it has gone through them.
    ch.pipeline().addFirst(RECORD_END, new RecordEnd(record));
    record.events().opened(record);
    sessions.add(session);
    session.log().accepted();
    Runnable greet = listen.ssl()
        // Implicit TLS (IMAPS, POP3S, SMTPS): the greeting waits for the handshake.
        ? () -> ClientTls.startImplicit(session, server.tls().orElseThrow(), () -> server.protocol().startSession(session))
        : () -> server.protocol().startSession(session);
    // The limits count the real client, so they are checked once the PROXY header has named it.
    Runnable start = slots == SessionSlots.NONE ? greet : () -> admit(session, listen, limits, slots, greet);
    if (listen.proxyProtocol()) {
      // The load balancer's header comes first, before any TLS.
      ProxyProtocolReader.install(session, start);
    } else {
      start.run();
    }
  }

  /**
   * Starts the session if its pre-auth limits admit it; otherwise it gets the protocol's refusal in place of the
   * greeting and closes. An implicit-TLS connection is closed without a word: before the handshake a line would be
   * noise to the client, and the handshake is the work a flood should not get.
   */
  private static void admit(ClientSession session, ListenConfig listen, ConnectionLimits limits, SessionSlots slots,
      Runnable greet) {
    String refused = limits.admitPreauth(slots, session.clientIpForLimits(), listen.text());
    if (refused == null) {
      greet.run();
      return;
    }
    SessionRecord record = session.record();
    record.closeReason("too many connections");
    record.events().connectionRefused(record, refused);
    if (listen.ssl()) {
      session.close();
    } else {
      session.writeLineAndClose(session.server().protocol().tooManyConnectionsReply());
    }
  }

  /** First in every client pipeline: tells the session's watchers it closed, after the rest of the pipeline. */
  private static final class RecordEnd extends ChannelInboundHandlerAdapter {
    private final SessionRecord record;

    RecordEnd(SessionRecord record) {
      this.record = record;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      try {
        ctx.fireChannelInactive();
      } finally {
        record.closed();
      }
    }
  }

  /** The client's address as text, without DNS (never {@code getHostName()} on an event loop). */
  static String clientIp(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      // RFC 5952 text (::1, 2001:db8::1), as nginx prints it, not Java's uncompressed form.
      return NetUtil.toAddressString(inet.getAddress());
    }
    return "unix:";
  }

  /** Closes every listening socket; sessions already accepted go on until the event loops stop. */
  public void close() {
    bound.values().forEach(b -> closeSocket(b.channel));
    bound.clear();
  }

  /** The addresses listened on now, as nginx prints them (tests, logs). */
  public List<String> addresses() {
    List<String> out = new ArrayList<>();
    bound.values().forEach(b -> out.add(b.route.listen().text()));
    return out;
  }

  private static void closeSocket(Channel channel) {
    SocketAddress local = channel.localAddress();
    channel.close().awaitUninterruptibly();
    if (local instanceof DomainSocketAddress unix) {
      new java.io.File(unix.path()).delete();
    }
  }

  /** A listen address could not be bound. */
  public static final class BindException extends Exception {
    BindException(String message) {
      super(message);
    }
  }
}
