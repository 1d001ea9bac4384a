package io.mailgate.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.NoDescriptors;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failover across a target's addresses over real loopback sockets: a refused port is a closed listener's; a connect
 * that times out is one to a listener whose accept backlog is full (Linux then drops the SYN).
 */
class BackendConnectorTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static MultiThreadIoEventLoopGroup group;

  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startLoop() {
    group = Transport.nio(Optional.empty()).newGroup(1, "connector-test");
  }

  @AfterAll
  static void stopLoop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  /** Greets with {@code HELLO} (or {@code greeting}); counts the connections it accepted. */
  private final class Backend implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger accepted = new AtomicInteger();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Backend(String greeting) throws IOException {
      server = new ServerSocket(0, 50, LOOPBACK);
      closeAfter.add(this);
      Thread t = new Thread(() -> {
        try {
          while (true) {
            Socket s = server.accept();
            accepted.incrementAndGet();
            sockets.add(s);
            s.getOutputStream().write((greeting + "\r\n").getBytes(StandardCharsets.US_ASCII));
          }
        } catch (IOException closed) {
          // done
        }
      });
      t.setDaemon(true);
      t.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(LOOPBACK, server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  /** For the tests that do not look at the addresses tried. */
  private static final BackendConnector.Progress NO_PROGRESS = new BackendConnector.Progress() {
    @Override
    public void connecting(InetSocketAddress a) {}

    @Override
    public void failedOver(InetSocketAddress a, String reason) {}
  };

  /** A port nothing listens on: connecting to it is refused. */
  private static InetSocketAddress refused() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      return new InetSocketAddress(LOOPBACK, s.getLocalPort());
    }
  }

  /** A listener that never accepts, its backlog filled until a further connect hangs. */
  private InetSocketAddress blackHole() throws IOException {
    ServerSocket server = new ServerSocket(0, 1, LOOPBACK);
    closeAfter.add(server);
    InetSocketAddress address = new InetSocketAddress(LOOPBACK, server.getLocalPort());
    for (int i = 0; i < 64; i++) {
      Socket filler = new Socket();
      closeAfter.add(filler);
      try {
        filler.connect(address, 200);
      } catch (SocketTimeoutException full) {
        return address;
      }
    }
    throw new IllegalStateException("the backlog never filled");
  }

  /** Succeeds on {@code HELLO}, fails as a protocol error on anything else. */
  private static final class HelloLogin extends BackendLogin {
    @Override
    protected void onLine(ChannelHandlerContext ctx, String line) {
      if (line.equals("HELLO")) {
        succeed("welcome\r\n");
      } else {
        fail(BackendFailure.PROTOCOL, "unexpected greeting " + line, Optional.empty());
      }
    }
  }

  private BackendConnector.Attempt connect(BackendTarget target, Duration timeout, Duration connectTimeout) {
    return connect(target, timeout, connectTimeout, Transport.nio(Optional.empty()), ConnectionGate.UNLIMITED);
  }

  /** Starts connecting and returns at once, the attempt still in progress. */
  private BackendConnector.Attempt start(BackendTarget target, Duration timeout, Duration connectTimeout,
      Transport transport, ConnectionGate gate) {
    EventLoop loop = group.next();
    HelloLogin login = new HelloLogin();
    login.init(BackendCredentials.password("u".getBytes(StandardCharsets.US_ASCII),
        "p".getBytes(StandardCharsets.US_ASCII)), loop.newPromise(), Optional.empty());
    BackendConnector connector = new BackendConnector(transport, gate);
    BackendConnector.Progress recorder = new BackendConnector.Progress() {
      @Override
      public void connecting(InetSocketAddress address) {
        progress.add("connecting " + BackendTarget.hostAndPort(address));
      }

      @Override
      public void failedOver(InetSocketAddress address, String reason) {
        progress.add("failed " + BackendTarget.hostAndPort(address) + ": " + reason);
      }
    };
    BackendConnector.Attempt attempt = loop.submit(() -> connector.connect(loop, target,
        login, new BackendConnector.Limits(timeout, connectTimeout, 1024), Optional.empty(), recorder))
        .syncUninterruptibly().getNow();
    attempt.channel().ifPresent(c -> closeAfter.add(() -> c.close().syncUninterruptibly()));
    return attempt;
  }

  /** As {@link #connect(BackendTarget, Duration, Duration)}, returning once the result is in. */
  private BackendConnector.Attempt connect(BackendTarget target, Duration timeout, Duration connectTimeout,
      Transport transport, ConnectionGate gate) {
    BackendConnector.Attempt attempt = start(target, timeout, connectTimeout, transport, gate);
    attempt.result().awaitUninterruptibly(20, TimeUnit.SECONDS);
    return attempt;
  }

  private static String name(InetSocketAddress a) {
    return BackendTarget.hostAndPort(a);
  }

  private static BackendLoginException failure(Future<String> result) {
    assertThat(result.isSuccess()).as("login failed").isFalse();
    assertThat(result.cause()).isInstanceOf(BackendLoginException.class);
    return (BackendLoginException) result.cause();
  }

  @Test
  void aSocketThatCannotBeCreatedFailsTheLoginAtOnceAndGivesBackItsConnectionSlot() throws Exception {
    // Found by the soak (bench/run-soak.sh) at mailgate's descriptor limit: Netty hands back a placeholder channel
    // on no event loop; closing it threw in the login's failure path (the client never got an answer) and its close,
    // which returns the worker_connections slot, never came.
    InetSocketAddress first = refused();
    InetSocketAddress second = refused();
    AtomicInteger held = new AtomicInteger();
    ConnectionGate counting = new ConnectionGate() {
      @Override
      public boolean tryAcquire(EventLoop loop) {
        held.incrementAndGet();
        return true;
      }

      @Override
      public void release(EventLoop loop) {
        held.decrementAndGet();
      }
    };
    long started = System.nanoTime();

    BackendConnector.Attempt attempt = connect(new BackendTarget(List.of(first, second)), Duration.ofSeconds(30),
        Duration.ofSeconds(30), NoDescriptors.transport(), counting);

    assertThat(attempt.result().isDone()).as("failed without waiting for a timeout").isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5000L);
    assertThat(attempt.channel()).as("no placeholder channel for the failure path to close").isEmpty();
    assertThat(held.get()).as("worker_connections slots still held").isZero();
    BackendLoginException e = failure(attempt.result());
    // nginx: a socket() that fails is an internal server error, and no other address is tried (none would get one).
    assertThat(e.failure()).isEqualTo(BackendFailure.INTERNAL);
    assertThat(e.getMessage()).isEqualTo("socket() failed (24: Too many open files)");
    assertThat(progress).containsExactly("connecting " + name(first));
  }

  @Test
  void aRefusedFirstAddressIsReportedOnceAndTheSecondLogsIn() throws Exception {
    InetSocketAddress dead = refused();
    Backend live = new Backend("HELLO");

    BackendConnector.Attempt attempt = connect(new BackendTarget(List.of(dead, live.address())),
        Duration.ofSeconds(10), Duration.ofSeconds(10));

    assertThat(attempt.result().getNow()).isEqualTo("welcome\r\n");
    assertThat(attempt.address()).contains(live.address());
    assertThat(attempt.channel().orElseThrow().remoteAddress()).isEqualTo(live.address());
    assertThat(progress).containsExactly(
        "connecting " + name(dead),
        "failed " + name(dead) + ": connect() failed (111: Connection refused)",
        "connecting " + name(live.address()));
  }

  @Test
  void aConnectThatTakesLongerThanProxyConnectTimeoutMovesOnToTheNextAddress() throws Exception {
    InetSocketAddress hole = blackHole();
    Backend live = new Backend("HELLO");
    long started = System.nanoTime();

    BackendConnector.Attempt attempt = connect(new BackendTarget(List.of(hole, live.address())),
        Duration.ofSeconds(10), Duration.ofMillis(400));

    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(attempt.result().getNow()).isEqualTo("welcome\r\n");
    assertThat(attempt.address()).contains(live.address());
    assertThat(elapsedMillis).isBetween(400L, 5000L);
    assertThat(progress).containsExactly(
        "connecting " + name(hole),
        "failed " + name(hole) + ": upstream timed out (110: Connection timed out)",
        "connecting " + name(live.address()));
  }

  @Test
  void whenEveryAddressFailsTheLastFailureFailsTheLoginAndIsNotReportedTwice() throws Exception {
    InetSocketAddress first = refused();
    InetSocketAddress second = refused();

    BackendConnector.Attempt attempt = connect(new BackendTarget(List.of(first, second)),
        Duration.ofSeconds(10), Duration.ofSeconds(10));

    BackendLoginException e = failure(attempt.result());
    assertThat(e.failure()).isEqualTo(BackendFailure.CONNECT);
    assertThat(e.getMessage()).isEqualTo("connect() failed (111: Connection refused)");
    assertThat(progress).containsExactly("connecting " + name(first),
        "failed " + name(first) + ": connect() failed (111: Connection refused)", "connecting " + name(second));
  }

  @Test
  void aSingleAddressThatTimesOutFailsAsTimeout() throws Exception {
    InetSocketAddress hole = blackHole();

    BackendConnector.Attempt attempt = connect(BackendTarget.of(hole), Duration.ofSeconds(10), Duration.ofMillis(300));

    BackendLoginException e = failure(attempt.result());
    assertThat(e.failure()).isEqualTo(BackendFailure.TIMEOUT);
    assertThat(e.getMessage()).isEqualTo("upstream timed out (110: Connection timed out)");
    assertThat(progress).containsExactly("connecting " + name(hole));
  }

  @Test
  void aReadErrorBeforeTheConnectCompletesDoesNotEndTheConnect() throws Exception {
    // Seen in the soak under load: epoll read a socket whose connect had not even started (ENOTCONN, no local
    // address, no packet in a capture), and the login failed with "107: Transport endpoint is not connected".
    // Reproduced here by that error arriving mid-connect: the connect goes on, and its own outcome (here the
    // connect timeout of a black hole) decides.
    InetSocketAddress hole = blackHole();
    try (LogCapture logs = LogCapture.onRootAtDebug()) {
      BackendConnector.Attempt attempt = start(BackendTarget.of(hole), Duration.ofMillis(800),
          Duration.ofSeconds(10), Transport.nio(Optional.empty()), ConnectionGate.UNLIMITED);
      Channel connecting = attempt.channel().orElseThrow();
      await().atMost(Duration.ofSeconds(5)).until(() -> connecting.pipeline().get(BackendConnector.SETUP) != null);
      connecting.eventLoop().execute(() -> connecting.pipeline().fireExceptionCaught(new NotYetConnectedException()));

      Thread.sleep(300);
      assertThat(connecting.isOpen()).as("still connecting after the stray read error").isTrue();
      assertThat(attempt.result().isDone()).isFalse();
      attempt.result().awaitUninterruptibly(5, TimeUnit.SECONDS);
      BackendLoginException e = failure(attempt.result());
      assertThat(e.failure()).isEqualTo(BackendFailure.TIMEOUT);
      assertThat(logs.text()).doesNotContain("reached at the tail of the pipeline");
    }
  }

  @Test
  void aSocketClosedBeforeItsConnectIsReplacedOnceAndTheLoginGoesOn() throws Exception {
    Backend live = new Backend("HELLO");
    BackendConnector.Attempt attempt = loginWithStrayClosedSockets(live, 1);
    assertThat(attempt.result().getNow()).isEqualTo("welcome\r\n");
    assertThat(live.accepted.get()).isEqualTo(1);
    assertThat(progress).containsExactly("connecting " + name(live.address()), "connecting " + name(live.address()));
  }

  @Test
  void aSecondSocketClosedBeforeItsConnectFailsTheLogin() throws Exception {
    Backend live = new Backend("HELLO");
    BackendConnector.Attempt attempt = loginWithStrayClosedSockets(live, 2);
    BackendLoginException e = failure(attempt.result());
    assertThat(e.failure()).isEqualTo(BackendFailure.CONNECT);
    assertThat(e.getMessage()).isEqualTo("connect() failed (ClosedChannelException)");
    assertThat(live.accepted.get()).isZero();
  }

  /** NIO sockets whose first {@link #strays} connects fail as a socket closed before connect() would. */
  public static final class StrayClosedChannel extends io.netty.channel.socket.nio.NioSocketChannel {
    static final AtomicInteger strays = new AtomicInteger();

    @Override
    protected boolean doConnect(java.net.SocketAddress remote, java.net.SocketAddress local) throws Exception {
      if (strays.getAndDecrement() > 0) {
        throw new java.nio.channels.ClosedChannelException();
      }
      return super.doConnect(remote, local);
    }
  }

  /** Logs in to {@code live} through sockets of which the first {@code strays} close before connecting. */
  private BackendConnector.Attempt loginWithStrayClosedSockets(Backend live, int strays) {
    StrayClosedChannel.strays.set(strays);
    BackendConnector.Attempt attempt = start(BackendTarget.of(live.address()), Duration.ofSeconds(10),
        Duration.ofSeconds(10), strayClosing(), ConnectionGate.UNLIMITED);
    attempt.result().awaitUninterruptibly(5, TimeUnit.SECONDS);
    return attempt;
  }

  private static Transport strayClosing() {
    Transport nio = Transport.nio(Optional.empty());
    return new Transport("nio-stray", nio.ioHandlerFactory(), nio.serverSocketChannel(), StrayClosedChannel.class,
        nio.serverDomainSocketChannel(), nio.domainSocketChannel(), nio.datagramChannel(), Optional.empty());
  }

  @Test
  void anotherErrorBeforeTheConnectCompletesEndsItAndNamesThatError() throws Exception {
    InetSocketAddress hole = blackHole();
    BackendConnector.Attempt attempt = start(BackendTarget.of(hole), Duration.ofSeconds(10),
        Duration.ofSeconds(10), Transport.nio(Optional.empty()), ConnectionGate.UNLIMITED);
    Channel connecting = attempt.channel().orElseThrow();
    await().atMost(Duration.ofSeconds(5)).until(() -> connecting.pipeline().get(BackendConnector.SETUP) != null);
    connecting.eventLoop().execute(() -> connecting.pipeline().fireExceptionCaught(
        new java.io.IOException("recvAddress(..) failed: Connection reset by peer")));

    attempt.result().awaitUninterruptibly(5, TimeUnit.SECONDS);
    BackendLoginException e = failure(attempt.result());
    assertThat(e.failure()).isEqualTo(BackendFailure.CONNECT);
    assertThat(e.getMessage()).isEqualTo("connect() failed (104: Connection reset by peer)");
  }

  @Test
  void theLoginTimeoutBoundsAllTheConnectsTogether() throws Exception {
    InetSocketAddress first = blackHole();
    InetSocketAddress second = blackHole();
    long started = System.nanoTime();

    BackendConnector.Attempt attempt = connect(new BackendTarget(List.of(first, second)),
        Duration.ofMillis(700), Duration.ofMillis(500));

    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    BackendLoginException e = failure(attempt.result());
    assertThat(e.failure()).isEqualTo(BackendFailure.TIMEOUT);
    assertThat(e.getMessage()).isEqualTo("upstream timed out");
    assertThat(elapsedMillis).isBetween(700L, 3000L);
    assertThat(progress).containsExactly("connecting " + name(first),
        "failed " + name(first) + ": upstream timed out (110: Connection timed out)", "connecting " + name(second));
  }

  @Test
  void aFailureAfterTheConnectIsNotRetriedElsewhere() throws Exception {
    Backend broken = new Backend("GARBAGE");
    Backend live = new Backend("HELLO");

    BackendConnector.Attempt attempt = connect(new BackendTarget(List.of(broken.address(), live.address())),
        Duration.ofSeconds(10), Duration.ofSeconds(10));

    BackendLoginException e = failure(attempt.result());
    assertThat(e.failure()).isEqualTo(BackendFailure.PROTOCOL);
    assertThat(e.getMessage()).isEqualTo("unexpected greeting GARBAGE");
    assertThat(broken.accepted).hasValue(1);
    Thread.sleep(100);
    assertThat(live.accepted).as("the second address is never tried").hasValue(0);
    assertThat(progress).containsExactly("connecting " + name(broken.address()));
  }

  @Test
  void anAbandonedLoginStopsWithoutTryingTheNextAddress() throws Exception {
    InetSocketAddress hole = blackHole();
    Backend live = new Backend("HELLO");
    EventLoop loop = group.next();
    HelloLogin login = new HelloLogin();
    login.init(BackendCredentials.password(new byte[] {'u'}, new byte[] {'p'}), loop.newPromise(), Optional.empty());
    BackendConnector connector = new BackendConnector(Transport.nio(Optional.empty()), ConnectionGate.UNLIMITED);
    BackendConnector.Progress recorder = new BackendConnector.Progress() {
      @Override
      public void connecting(InetSocketAddress address) {
        progress.add("connecting " + name(address));
      }

      @Override
      public void failedOver(InetSocketAddress address, String reason) {
        progress.add("failed " + name(address));
      }
    };
    BackendConnector.Attempt attempt = loop.submit(() -> connector.connect(loop,
        new BackendTarget(List.of(hole, live.address())), login,
        new BackendConnector.Limits(Duration.ofSeconds(10), Duration.ofSeconds(5), 1024), Optional.empty(),
        recorder)).syncUninterruptibly().getNow();
    io.netty.channel.Channel connecting = attempt.channel().orElseThrow();

    loop.submit(attempt::abandon).syncUninterruptibly();

    assertThat(connecting.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
    assertThat(failure(attempt.result()).getMessage()).isEqualTo("client closed connection");
    Thread.sleep(200);
    assertThat(progress).containsExactly("connecting " + name(hole));
    assertThat(live.accepted).hasValue(0);
  }

  @Test
  void theProxyHeaderGoesOutBeforeTheLoginReadsTheGreeting() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
      InetSocketAddress address = new InetSocketAddress(LOOPBACK, server.getLocalPort());
      EventLoop loop = group.next();
      HelloLogin login = new HelloLogin();
      login.init(BackendCredentials.password(new byte[] {'u'}, new byte[] {'p'}), loop.newPromise(),
          Optional.empty());
      BackendConnector connector = new BackendConnector(Transport.nio(Optional.empty()), ConnectionGate.UNLIMITED);
      ProxyProtocolHeader header = new ProxyProtocolV1Header(new InetSocketAddress("192.0.2.1", 4711),
          new InetSocketAddress("127.0.0.1", 143));
      BackendConnector.Attempt attempt = loop.submit(() -> connector.connect(loop, BackendTarget.of(address), login,
          new BackendConnector.Limits(Duration.ofSeconds(10), Duration.ofSeconds(10), 1024), Optional.of(header), NO_PROGRESS)).syncUninterruptibly().getNow();
      try (Socket s = server.accept()) {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        byte[] expected = "PROXY TCP4 192.0.2.1 127.0.0.1 4711 143\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(in.readNBytes(expected.length)).isEqualTo(expected);
        OutputStream out = s.getOutputStream();
        out.write("HELLO\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(attempt.result().awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
        assertThat(attempt.result().getNow()).isEqualTo("welcome\r\n");
        assertThat(attempt.channel().orElseThrow().pipeline().names())
            .contains(BackendConnector.FRAMER, BackendConnector.LOGIN)
            .doesNotContain("backend-setup", ProxyProtocolSender.NAME);
        attempt.channel().orElseThrow().close().syncUninterruptibly();
      }
    }
  }

  @Test
  void withImplicitTlsTheProxyHeaderPrecedesTheClientHello() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
      InetSocketAddress address = new InetSocketAddress(LOOPBACK, server.getLocalPort());
      io.mailgate.config.BackendTlsConfig config = new io.mailgate.config.BackendTlsConfig(
          io.mailgate.config.BackendTlsConfig.Mode.ON, false, Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), List.of("TLSv1.2", "TLSv1.3"), false);
      Optional<BackendTlsPlan> tls = BackendTlsPlan.resolve(config, io.mailgate.tls.BackendTls.create(config),
          Optional.empty(), Optional.empty(), address);
      assertThat(tls).map(BackendTlsPlan::implicit).contains(true);
      EventLoop loop = group.next();
      HelloLogin login = new HelloLogin();
      login.init(BackendCredentials.password(new byte[] {'u'}, new byte[] {'p'}), loop.newPromise(), tls);
      BackendConnector connector = new BackendConnector(Transport.nio(Optional.empty()), ConnectionGate.UNLIMITED);
      ProxyProtocolHeader header = new ProxyProtocolV1Header(new InetSocketAddress("192.0.2.1", 4711),
          new InetSocketAddress("127.0.0.1", 993));
      BackendConnector.Attempt attempt = loop.submit(() -> connector.connect(loop, BackendTarget.of(address), login,
          new BackendConnector.Limits(Duration.ofSeconds(10), Duration.ofSeconds(10), 1024), Optional.of(header), NO_PROGRESS)).syncUninterruptibly().getNow();
      try (Socket s = server.accept()) {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        byte[] expected = "PROXY TCP4 192.0.2.1 127.0.0.1 4711 993\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(in.readNBytes(expected.length)).as("the header, in cleartext").isEqualTo(expected);
        // proxy-protocol.txt §2: then the TLS handshake: a TLS handshake record (22) opens with the ClientHello (1).
        byte[] record = in.readNBytes(6);
        assertThat(record[0]).isEqualTo((byte) 22);
        assertThat(record[5]).isEqualTo((byte) 1);
      } finally {
        attempt.abandon();
      }
    }
  }
}
