package io.mailgate.session;

import io.mailgate.config.ServerConfig;
import io.mailgate.log.SessionLog;
import io.mailgate.sasl.Salts;
import io.mailgate.throttle.SessionSlots;
import io.mailgate.tls.ClientTlsInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection, from accept to close: its channel, its server, its log context, and the counters nginx keeps
 * per session (login attempts, errors). Touched only on its channel's event loop.
 */
public final class ClientSession {

  private static final AtomicLong CONNECTION_NUMBERS = new AtomicLong();

  private final long number;
  private final Channel channel;
  private final ServerRuntime server;
  private String clientIp;
  private SocketAddress clientAddress;
  /** The address the real client connected to, when a trusted PROXY header named it; null: the local address. */
  private SocketAddress connectedAddress;
  private Optional<ProxyHeader> proxyHeader = Optional.empty();
  private final SessionLog log;
  private int loginAttempts;
  private int errors;
  private String salt;
  private ScheduledFuture<?> clientTimeout;
  private boolean closing;
  private ClientTlsInfo tlsInfo;
  private final LoginResources.Hold resources;
  private final SessionRecord record;
  /** The connection counts this session holds ({@code limit_*}); given back when the connection closes. */
  private SessionSlots slots = SessionSlots.NONE;
  /** The protocol's front end is in place: the client has been greeted (or is about to be) and may be told BYE. */
  private boolean frontendStarted;
  /** Between a LOGIN/AUTH that reached the auth service and its outcome: a graceful stop lets it finish. */
  private boolean loggingIn;
  /** mailgate is stopping: the session ends as soon as it waits for the client's next command. */
  private boolean draining;

  /**
   * @param clientIp the client's address as the auth service sees it ({@code Client-IP})
   * @param serverText the listening address, for log lines
   * @param resources this session's hold on its configuration's login resources, given back once the login is over
   */
  public ClientSession(Channel channel, ServerRuntime server, String clientIp, String serverText,
      LoginResources.Hold resources) {
    this.number = CONNECTION_NUMBERS.incrementAndGet();
    this.channel = channel;
    this.server = server;
    this.resources = resources;
    this.clientIp = clientIp;
    this.clientAddress = channel.remoteAddress();
    this.record = new SessionRecord(SessionIds.next(), server.protocol().name(), serverText, clientAddress,
        server.events());
    this.log = new SessionLog(server.loggerName(), number, clientIp, serverText, record.id());
  }

  /** The session's facts for the access log and the metrics; outlives the login (the relay keeps it). */
  public SessionRecord record() {
    return record;
  }

  /** The connection counts this session holds under its server's {@code limit_*}. */
  public SessionSlots slots() {
    return slots;
  }

  /** Gives the session the slots it holds (set once, at accept). */
  public void slots(SessionSlots slots) {
    this.slots = slots;
  }

  /** The client channel. */
  public Channel channel() {
    return channel;
  }

  /** The server this session belongs to. */
  public ServerRuntime server() {
    return server;
  }

  /** Shorthand for {@code server().config()}. */
  public ServerConfig config() {
    return server.config();
  }

  /** The error-log voice of this session. */
  public SessionLog log() {
    return log;
  }

  /** The client's IP address as text ({@code Client-IP}, XCLIENT's ADDR, log lines). */
  public String clientIp() {
    return clientIp;
  }

  /**
   * The client's IP address for the per-client connection limits, or null for a client on a unix socket (it has no
   * address of its own to count by).
   */
  public String clientIpForLimits() {
    return clientAddress instanceof InetSocketAddress ? clientIp : null;
  }

  /** The client's address and port: the connection's peer, or the real client a trusted PROXY header named. */
  public SocketAddress clientAddress() {
    return clientAddress;
  }

  /**
   * The address and port the client connected to: the destination a trusted PROXY header named (the balancer's
   * listener), else this connection's local address. What a backend gets as IMAP ID {@code x-connected-ip}, XCLIENT
   * {@code DESTADDR} and the PROXY header's destination.
   */
  public SocketAddress connectedAddress() {
    return connectedAddress != null ? connectedAddress : channel.localAddress();
  }

  /** The PROXY protocol header the connection opened with, on a {@code listen ... proxy_protocol}. */
  public Optional<ProxyHeader> proxyHeader() {
    return proxyHeader;
  }

  /**
   * Records the PROXY protocol header read before the greeting. When the connection comes from a trusted address
   * ({@code set_real_ip_from}), the header's source becomes the client everywhere (nginx's realip): Client-IP, XCLIENT,
   * log lines, and the PROXY header mailgate sends to the backend.
   */
  void acceptProxyHeader(Optional<ProxyHeader> header) {
    this.proxyHeader = header;
    if (header.isEmpty() || config().realIpFrom().stream().noneMatch(range -> range.matches(channel.remoteAddress()))) {
      return;
    }
    InetAddress real = NetUtil.createInetAddressFromIpAddressString(header.get().sourceAddress());
    if (real == null) {
      return;
    }
    clientAddress = new InetSocketAddress(real, header.get().sourcePort());
    InetAddress destination = NetUtil.createInetAddressFromIpAddressString(header.get().destinationAddress());
    if (destination != null) {
      connectedAddress = new InetSocketAddress(destination, header.get().destinationPort());
    }
    clientIp = NetUtil.toAddressString(real);
    record.client(clientAddress);
    log.setClient(clientIp);
  }

  /** Records the finished TLS handshake (implicit or STARTTLS); the session is encrypted from now on. */
  void tlsEstablished(ClientTlsInfo info) {
    this.tlsInfo = info;
    record.tls(info.protocol(), info.cipher());
    record.events().tlsHandshake(record, Optional.empty());
  }

  /** The client connection's TLS, once its handshake is done. */
  public Optional<ClientTlsInfo> tls() {
    return Optional.ofNullable(tlsInfo);
  }

  /** Whether STARTTLS may be offered and accepted now: configured on or only, and not yet encrypted. */
  public boolean starttlsAvailable() {
    return tlsInfo == null && server.tls().isPresent()
        && config().tls().starttls() != io.mailgate.config.TlsConfig.Starttls.OFF;
  }

  /** {@code starttls only} before the upgrade: no authentication yet, and the capabilities say so. */
  public boolean authenticationNeedsTls() {
    return tlsInfo == null && config().tls().starttls() == io.mailgate.config.TlsConfig.Starttls.ONLY;
  }

  /** Counts one more AUTH/LOGIN command and returns its number ({@code Auth-Login-Attempt}). */
  public int nextLoginAttempt() {
    return ++loginAttempts;
  }

  /** The session's APOP/CRAM-MD5 challenge, made on first use and kept for the session (as nginx's salt). */
  public String salt() {
    if (salt == null) {
      salt = Salts.newSalt(config().serverName());
    }
    return salt;
  }

  /**
   * Counts an invalid command. Returns true when this one reaches {@code max_errors}: the caller sends its error reply
   * and then closes (nginx answers the last one before closing).
   */
  public boolean countErrorAndCheckLimit() {
    errors++;
    if (errors >= config().maxErrors()) {
      log.info("client sent too many invalid commands");
      record.closeReason("too many invalid commands");
      return true;
    }
    return false;
  }

  /** Writes one reply line (CRLF appended); bytes are the string's chars, byte for char. */
  public void writeLine(String line) {
    if (channel.isActive()) {
      channel.writeAndFlush(lineBuffer(line), channel.voidPromise());
    }
  }

  /** Writes raw, already CRLF-terminated text. */
  public void writeRaw(String text) {
    if (channel.isActive()) {
      channel.writeAndFlush(channel.alloc().buffer(text.length()).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1)),
          channel.voidPromise());
    }
  }

  /**
   * True once the session has decided to end (a final reply is on its way): commands the client pipelined behind it
   * must not be answered, as nginx's {@code quit} flag stops reading.
   */
  public boolean isClosing() {
    return closing;
  }

  /** Writes one reply line, then closes once it is out, without letting the client's unread input reset it away. */
  public void writeLineAndClose(String line) {
    stopReading();
    if (channel.isActive()) {
      LingeringClose.after(channel.writeAndFlush(lineBuffer(line)));
    } else {
      channel.close();
    }
  }

  /** Writes raw CRLF-terminated text, then closes. */
  public void writeRawAndClose(String text) {
    stopReading();
    if (channel.isActive()) {
      ByteBuf buf = channel.alloc().buffer(text.length()).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
      LingeringClose.after(channel.writeAndFlush(buf));
    } else {
      channel.close();
    }
  }

  /** Sends the protocol's internal-error reply and closes. */
  public void internalError() {
    writeLineAndClose(server.protocol().internalErrorReply());
  }

  /** Closes the client connection. */
  public void close() {
    stopReading();
    channel.close();
  }

  private void stopReading() {
    closing = true;
    disarmTimeout();
    channel.config().setAutoRead(false);
  }

  /** The protocol's front end is in place (the greeting goes out with it). */
  void frontendStarted() {
    frontendStarted = true;
  }

  /** A login went to the auth service: a graceful stop waits for its outcome. */
  void loginStarted() {
    loggingIn = true;
    record.enter(SessionPhase.AUTHENTICATING);
  }

  /** The login failed and the session waits for the client again. */
  void loginFailedSessionGoesOn() {
    loggingIn = false;
    record.enter(SessionPhase.PRE_AUTH);
  }

  /**
   * The login is over and the session relays: it gives back its hold on the configuration's login resources (a
   * relaying session needs none of them).
   */
  void enterRelay() {
    loggingIn = false;
    record.enter(SessionPhase.RELAYING);
    LiveSessions.relaying(this);
    resources.release();
  }

  /**
   * mailgate stops gracefully: a session waiting for the client's next command is told so ({@link
   * MailProtocol#shutdownReply()}) and closed; one still in the PROXY header or the TLS handshake is closed; one whose
   * login is with the auth service or the backend finishes it (and then relays, or is closed here once it waits for
   * the client again). Called on the session's event loop.
   */
  public void drain() {
    if (draining || closing) {
      return;
    }
    draining = true;
    if (loggingIn) {
      return;
    }
    closeForShutdown();
  }

  private void closeForShutdown() {
    log.info("closing connection: mailgate is shutting down");
    record.closeReason("shutting down");
    if (frontendStarted) {
      writeLineAndClose(server.protocol().shutdownReply());
    } else {
      close();
    }
  }

  /** (Re)starts the client timer ({@code timeout}): no complete command within it ends the session. */
  public void armTimeout() {
    if (draining && !loggingIn) {
      // The session waits for the client again during a graceful stop: it ends now instead.
      closeForShutdown();
      return;
    }
    disarmTimeout();
    clientTimeout = channel.eventLoop().schedule(() -> {
      log.info("client timed out");
      record.closeReason("client timed out");
      channel.close();
    }, config().timeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Stops the client timer (while the auth service or the backend is being asked). */
  public void disarmTimeout() {
    if (clientTimeout != null) {
      clientTimeout.cancel(false);
      clientTimeout = null;
    }
  }

  private ByteBuf lineBuffer(String line) {
    ByteBuf buf = channel.alloc().buffer(line.length() + 2);
    for (int i = 0; i < line.length(); i++) {
      buf.writeByte((byte) line.charAt(i));
    }
    return buf.writeByte('\r').writeByte('\n');
  }
}
