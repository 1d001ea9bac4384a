package io.mailgate.session;

import io.mailgate.sasl.Mechanism;
import java.net.SocketAddress;
import java.util.Optional;

/**
 * The facts of one client session that outlive its login: who, from where, how it logged in, to which backend, how
 * many bytes, how it ended. The access log writes it at the end and the metrics label by it. It is all a relaying
 * session keeps besides its two channels, so it holds small values only. Touched only on the session's event loop.
 */
public final class SessionRecord {

  private final String id;
  private final String protocol;
  private final String listener;
  private final long startMillis = System.currentTimeMillis();
  private final long startNanos = System.nanoTime();
  private final SessionEvents events;
  private SocketAddress client;
  private String tlsProtocol;
  private String tlsCipher;
  private String user;
  private Mechanism mechanism;
  private LoginOutcome outcome;
  private String backend;
  private long bytesFromClient;
  private long bytesFromBackend;
  private String closeReason;
  private SessionPhase phase = SessionPhase.PRE_AUTH;
  private boolean closed;

  /**
   * @param protocol {@code imap}, {@code pop3} or {@code smtp}
   * @param listener the listen address as configured ({@code 0.0.0.0:143}): a label, bounded by the configuration
   * @param client the connection's peer (replaced by a trusted PROXY header's source)
   */
  public SessionRecord(String id, String protocol, String listener, SocketAddress client, SessionEvents events) {
    this.id = id;
    this.protocol = protocol;
    this.listener = listener;
    this.client = client;
    this.events = events;
  }

  /** The session id ({@link SessionIds}). */
  public String id() {
    return id;
  }

  public String protocol() {
    return protocol;
  }

  public String listener() {
    return listener;
  }

  /** When the connection was accepted, in epoch milliseconds. */
  public long startMillis() {
    return startMillis;
  }

  /** How long the session has lasted (or lasted, once closed), in nanoseconds. */
  public long elapsedNanos() {
    return System.nanoTime() - startNanos;
  }

  /** The client's address: the connection's peer, or the real client a trusted PROXY header named. */
  public SocketAddress client() {
    return client;
  }

  void client(SocketAddress client) {
    this.client = client;
  }

  /** The client TLS version ({@code TLSv1.3}), once a handshake succeeded. */
  public Optional<String> tlsProtocol() {
    return Optional.ofNullable(tlsProtocol);
  }

  /** The client TLS cipher suite, once a handshake succeeded. */
  public Optional<String> tlsCipher() {
    return Optional.ofNullable(tlsCipher);
  }

  void tls(String protocol, String cipher) {
    this.tlsProtocol = protocol;
    this.tlsCipher = cipher;
  }

  /** The user name of the last login attempt (the auth service's {@code Auth-User} once it gave one). Untrusted text. */
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  void user(String user) {
    this.user = user;
  }

  /** The mechanism of the last login attempt. */
  public Optional<Mechanism> mechanism() {
    return Optional.ofNullable(mechanism);
  }

  void mechanism(Mechanism mechanism) {
    this.mechanism = mechanism;
  }

  /** How the last login attempt ended; empty when none ended. */
  public Optional<LoginOutcome> outcome() {
    return Optional.ofNullable(outcome);
  }

  /** The backend address ({@code 10.0.0.9:143}), once the auth service named one. */
  public Optional<String> backend() {
    return Optional.ofNullable(backend);
  }

  void backend(String backend) {
    this.backend = backend;
  }

  public long bytesFromClient() {
    return bytesFromClient;
  }

  public long bytesFromBackend() {
    return bytesFromBackend;
  }

  /** Why the session ended (the first reason given wins); empty until one is given. */
  public Optional<String> closeReason() {
    return Optional.ofNullable(closeReason);
  }

  /** Gives the reason the session ends, unless one was already given (the first cause is the one that counts). */
  public void closeReason(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
  }

  public SessionPhase phase() {
    return phase;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Moves to {@code next}; nothing when already there or closed. */
  void enter(SessionPhase next) {
    if (phase == next || closed) {
      return;
    }
    SessionPhase from = phase;
    phase = next;
    events.phaseChanged(this, from, next);
  }

  /** A login attempt ended. */
  void loginFinished(LoginOutcome outcome) {
    this.outcome = outcome;
    events.loginFinished(this, outcome);
  }

  /** Bytes relayed from the client (called by the relay for each read). */
  public void relayedFromClient(int bytes) {
    bytesFromClient += bytes;
    events.relayed(this, true, bytes);
  }

  /** Bytes relayed from the backend. */
  public void relayedFromBackend(int bytes) {
    bytesFromBackend += bytes;
    events.relayed(this, false, bytes);
  }

  /** Those who watch this session. */
  public SessionEvents events() {
    return events;
  }

  /** The client connection closed: the record is final, and its watchers are told once. */
  public void closed() {
    if (closed) {
      return;
    }
    closed = true;
    events.closed(this);
  }
}
